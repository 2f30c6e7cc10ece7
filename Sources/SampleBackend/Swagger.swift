/// The pictures API's OpenAPI definition, as its ASP.NET service publishes it at `/swagger/v1/swagger.json`.
let swaggerJSON = """
    {
      "openapi": "3.0.1",
      "info": {
        "title": "pictures",
        "description": "Picturesocial pictures API",
        "version": "v1"
      },
      "paths": {
        "/api/pictures/all": {
          "get": {
            "tags": ["Pictures"],
            "operationId": "GetAllPictures",
            "responses": {
              "200": {
                "description": "Success",
                "content": {
                  "application/json": {
                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Picture"}}
                  }
                }
              }
            }
          }
        },
        "/api/pictures/{id}": {
          "get": {
            "tags": ["Pictures"],
            "operationId": "GetPicture",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {
                "description": "Success",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Picture"}}}
              },
              "404": {"description": "Not Found"}
            }
          },
          "delete": {
            "tags": ["Pictures"],
            "operationId": "DeletePicture",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"204": {"description": "No Content"}, "404": {"description": "Not Found"}}
          }
        },
        "/api/pictures": {
          "post": {
            "tags": ["Pictures"],
            "operationId": "CreatePicture",
            "requestBody": {
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPicture"}}}
            },
            "responses": {
              "201": {
                "description": "Created",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Picture"}}}
              },
              "400": {"description": "Bad Request"}
            }
          }
        }
      },
      "components": {
        "schemas": {
          "Picture": {
            "type": "object",
            "properties": {
              "id": {"type": "string"},
              "name": {"type": "string"},
              "owner": {"type": "string"},
              "url": {"type": "string"}
            },
            "additionalProperties": false
          },
          "NewPicture": {
            "type": "object",
            "required": ["name"],
            "properties": {
              "name": {"type": "string"},
              "owner": {"type": "string"}
            },
            "additionalProperties": false
          }
        }
      }
    }
    """
