import java.io.File;
import java.io.StringWriter;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;

import net.minidev.json.JSONValue;

/**
 * The reference for Gatehouse's mapping templates: Apache Velocity 1.7 with $input, $util, $context and
 * $stageVariables bound as API Gateway binds them, JSONPath by Jayway JsonPath.
 *
 * usage: java Oracle CASES_DIR OUT_DIR   (each NAME.case gives OUT_DIR/NAME.out)
 *
 * A case file has sections, each started by a line "--- NAME": template, body, path, querystring, header
 * (NAME=VALUE lines), context (dotted.key=VALUE lines), stage (NAME=VALUE lines).
 */
public class Oracle {
    public static void main(String[] arguments) throws Exception {
        VelocityEngine engine = new VelocityEngine();
        engine.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        engine.setProperty("directive.foreach.maxloops", "1000");
        engine.init();
        File[] files = new File(arguments[0]).listFiles((dir, name) -> name.endsWith(".case"));
        java.util.Arrays.sort(files);
        for (File file : files) {
            Map<String, String> sections = sections(new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8));
            String output;
            try {
                VelocityContext context = new VelocityContext();
                Map<String, Map<String, String>> params = new LinkedHashMap<>();
                params.put("path", pairs(sections.get("path")));
                params.put("querystring", pairs(sections.get("querystring")));
                params.put("header", pairs(sections.get("header")));
                context.put("input", new Input(sections.getOrDefault("body", ""), params));
                context.put("util", new Util());
                context.put("context", nested(pairs(sections.get("context"))));
                context.put("stageVariables", pairs(sections.get("stage")));
                StringWriter writer = new StringWriter();
                engine.evaluate(context, writer, file.getName(), sections.getOrDefault("template", ""));
                output = writer.toString();
            } catch (Throwable error) {
                output = "ERROR\n";
                if (System.getenv("ORACLE_DEBUG") != null) error.printStackTrace();
            }
            String name = file.getName().replaceAll("\\.case$", ".out");
            Files.write(new File(arguments[1], name).toPath(), output.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** "--- name" lines start sections; a section's text is every line up to the next (the last newline kept off). */
    static Map<String, String> sections(String text) {
        Map<String, String> sections = new LinkedHashMap<>();
        String current = null;
        StringBuilder builder = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("--- ")) {
                if (current != null) sections.put(current, trimLastNewline(builder.toString()));
                current = line.substring(4).trim();
                builder.setLength(0);
            } else if (current != null) {
                builder.append(line).append('\n');
            }
        }
        if (current != null) sections.put(current, trimLastNewline(builder.toString()));
        return sections;
    }

    static String trimLastNewline(String text) {
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    static Map<String, String> pairs(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (text == null || text.isEmpty()) return pairs;
        for (String line : text.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) pairs.put(line.substring(0, equals), line.substring(equals + 1));
        }
        return pairs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> nested(Map<String, String> flat) {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : flat.entrySet()) {
            String[] parts = entry.getKey().split("\\.");
            Map<String, Object> map = root;
            for (int index = 0; index < parts.length - 1; index++) {
                map = (Map<String, Object>) map.computeIfAbsent(parts[index], key -> new LinkedHashMap<String, Object>());
            }
            map.put(parts[parts.length - 1], entry.getValue());
        }
        return root;
    }

    /** $input: the request body and parameters. */
    public static class Input {
        private final String body;
        private final Map<String, Map<String, String>> params;

        Input(String body, Map<String, Map<String, String>> params) {
            this.body = body;
            this.params = params;
        }

        public String getBody() { return body; }

        public Object path(String path) {
            if (body.trim().isEmpty()) return null;
            try {
                return JsonPath.using(Configuration.defaultConfiguration().addOptions(Option.SUPPRESS_EXCEPTIONS))
                    .parse(body).read(path);
            } catch (RuntimeException error) {
                return null;
            }
        }

        public String json(String path) {
            Object value = path(path);
            return JSONValue.toJSONString(value);
        }

        public Map<String, Map<String, String>> params() { return params; }

        public String params(String name) {
            for (String location : new String[] {"path", "querystring", "header"}) {
                String value = params.get(location).get(name);
                if (value != null) return value;
            }
            // API Gateway's $input.params(x) is "" for a parameter the request lacks (its recorded answers show it).
            return "";
        }
    }

    /** $util. */
    public static class Util {
        public String escapeJavaScript(String text) {
            return org.apache.commons.lang.StringEscapeUtils.escapeJavaScript(text);
        }

        /** Read as $input.path reads the body (ordered maps, JSON arrays), so both give the same kinds of value. */
        public Object parseJson(String text) { return Configuration.defaultConfiguration().jsonProvider().parse(text); }

        public String urlEncode(String text) throws Exception { return URLEncoder.encode(text, "UTF-8"); }

        public String urlDecode(String text) throws Exception { return URLDecoder.decode(text, "UTF-8"); }

        public String base64Encode(String text) {
            return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        public String base64Decode(String text) {
            return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        }
    }
}
