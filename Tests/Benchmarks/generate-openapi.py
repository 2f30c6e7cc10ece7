#!/usr/bin/env python3
"""Writes a large, valid OpenAPI 3.0 document for import benchmarks and crash tests.

usage: generate-openapi.py [--paths N] [--refs N] [--models N] [--pad BYTES] > api.json

The document has N paths (nested three deep, with path variables), four operations on most of them,
an x-amazon-apigateway-integration on each operation, and exactly --refs `$ref`s spread over request
bodies, responses and model properties. --pad adds that many bytes of description text, to grow
the document without adding structure. The output is deterministic.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", type=int, default=300)
    parser.add_argument("--refs", type=int, default=5000)
    parser.add_argument("--models", type=int, default=400)
    parser.add_argument("--pad", type=int, default=0)
    args = parser.parse_args()

    refs_left = args.refs

    def ref(index):
        nonlocal refs_left
        refs_left -= 1
        return {"$ref": "#/components/schemas/Model%d" % (index % args.models)}

    paths = {}
    for i in range(args.paths):
        group, item = divmod(i, 3)
        path = "/group%d" % group if item == 0 else "/group%d/items%d/{id%d}" % (group, item, item)
        operations = {}
        for verb in ("get", "post", "put", "delete"):
            if verb != "get" and i % 5 == 4:
                continue
            operation = {
                "operationId": "%s%d" % (verb, i),
                "parameters": [{"name": "filter", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy", "httpMethod": verb.upper(),
                    "uri": "http://backend.internal" + path, "passthroughBehavior": "when_no_match",
                },
            }
            if verb != "get":
                operation["security"] = [{"api_key": []}]
            paths[path] = operations
            operations[verb] = operation
    # Spread the references: one per response first, then request bodies, then model properties.
    operations = [op for item in paths.values() for op in item.values()]
    for n, op in enumerate(operations):
        if refs_left <= 0:
            break
        op["responses"]["200"]["content"] = {"application/json": {"schema": ref(n)}}
    for n, op in enumerate(operations):
        if refs_left <= 0:
            break
        op["requestBody"] = {"content": {"application/json": {"schema": ref(n + 7)}}}
    schemas = {}
    for m in range(args.models):
        schemas["Model%d" % m] = {"type": "object", "properties": {"id": {"type": "string"}}}
    m = 0
    while refs_left > 0:
        schema = schemas["Model%d" % (m % args.models)]
        schema["properties"]["link%d" % (m // args.models)] = ref(m * 13 + 1)
        m += 1
    document = {
        "openapi": "3.0.1",
        "info": {"title": "Generated", "version": "1", "description": "x" * args.pad},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
        },
    }
    json.dump(document, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
