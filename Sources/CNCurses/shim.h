// The C side of Gatehouse's terminal layer: ncursesw with wide characters, and small accessors for the
// globals and function-like macros Swift cannot use directly.
#ifndef GATEHOUSE_CNCURSES_SHIM_H
#define GATEHOUSE_CNCURSES_SHIM_H

#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *gh_stdscr(void) { return stdscr; }
static inline int gh_colors(void) { return COLORS; }
static inline int gh_color_pairs(void) { return COLOR_PAIRS; }
static inline int gh_lines(void) { return LINES; }
static inline int gh_cols(void) { return COLS; }
static inline attr_t gh_attr_bold(void) { return A_BOLD; }
static inline attr_t gh_attr_reverse(void) { return A_REVERSE; }
static inline attr_t gh_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t gh_attr_dim(void) { return A_DIM; }
static inline mmask_t gh_button1_clicks(void) { return BUTTON1_CLICKED | BUTTON1_PRESSED; }

/// Puts one character cell with attributes and an (extended) colour pair.
static inline int gh_put_cell(int y, int x, wchar_t character, attr_t attributes, int pair) {
    cchar_t cell;
    wchar_t text[2] = { character, 0 };
    int extended = pair;
    setcchar(&cell, text, attributes, 0, &extended);
    return mvadd_wch(y, x, &cell);
}

/// Opens the terminal on stdin/stdout; NULL when TERM is unknown (instead of exiting the process).
static inline SCREEN *gh_open_terminal(void) { return newterm(NULL, stdout, stdin); }

#endif
