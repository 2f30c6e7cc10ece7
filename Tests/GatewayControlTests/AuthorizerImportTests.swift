import Foundation
import GatewayControl
import GatewayImport
import GatewayModel
import Testing

@Suite struct AuthorizerImportTests {
    static let document = #"""
        {
          "swagger": "2.0",
          "info": {"title": "secured", "version": "1"},
          "paths": {
            "/orders": {
              "get": {
                "security": [{"bearer": []}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}
              },
              "post": {
                "security": [{"pool": ["orders/write"]}],
                "responses": {"200": {"description": "ok"}},
                "x-amazon-apigateway-integration": {
                  "type": "aws_proxy", "httpMethod": "POST",
                  "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations"
                }
              }
            }
          },
          "securityDefinitions": {
            "bearer": {
              "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "custom",
              "x-amazon-apigateway-authorizer": {
                "type": "token",
                "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations",
                "identityValidationExpression": "Bearer .+",
                "authorizerResultTtlInSeconds": 60
              }
            },
            "pool": {
              "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
              "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"]
              }
            }
          }
        }
        """#

    @Test func authorizersAreImportedExportedAndImportedBackTheSame() async throws {
        let control = try memoryControl()
        let outcome = try await control.importRestApi(Data(Self.document.utf8))
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        let api = outcome.api.id
        let authorizers = try control.authorizers(api: api).sorted { $0.name < $1.name }
        #expect(authorizers.map(\.name) == ["bearer", "pool"])
        #expect(authorizers[0].type == .token)
        #expect(authorizers[0].identitySource == "method.request.header.Authorization", "from the scheme's header")
        #expect(authorizers[0].identityValidationExpression == "Bearer .+")
        #expect(authorizers[0].authorizerResultTtlInSeconds == 60)
        #expect(authorizers[1].type == .cognitoUserPools)
        let orders = try #require(try control.resources(api: api).first { $0.path == "/orders" })
        #expect(orders.resourceMethods["GET"]?.authorizationType == .custom)
        #expect(orders.resourceMethods["GET"]?.authorizerId == authorizers[0].id)
        #expect(orders.resourceMethods["POST"]?.authorizationType == .cognitoUserPools)
        #expect(orders.resourceMethods["POST"]?.authorizerId == authorizers[1].id)
        #expect(orders.resourceMethods["POST"]?.authorizationScopes == ["orders/write"])
        #expect(orders.resourceMethods["POST"]?.methodIntegration?.type == .awsProxy)
        #expect(orders.resourceMethods["POST"]?.methodIntegration?.lambdaFunction == "orders")

        for format in ExportFormat.allCases {
            let exported = try await control.export(api, format: format)
            #expect(exported.contains("x-amazon-apigateway-authorizer"))
            let again = try await control.importRestApi(Data(exported.utf8))
            let copies = try control.authorizers(api: again.api.id).sorted { $0.name < $1.name }
            #expect(
                copies.map { [$0.name, $0.type.rawValue, $0.identitySource ?? "", $0.authorizerUri ?? ""] }
                    == authorizers.map { [$0.name, $0.type.rawValue, $0.identitySource ?? "", $0.authorizerUri ?? ""] })
            let copiedOrders = try #require(
                try control.resources(api: again.api.id).first { $0.path == "/orders" })
            #expect(copiedOrders.resourceMethods["GET"]?.authorizerId == copies[0].id, "\(format)")
            let post = copiedOrders.resourceMethods["POST"]
            #expect(post?.authorizationScopes == ["orders/write"], "\(format)")
            #expect(post?.methodIntegration?.type == .awsProxy, "\(format)")
            #expect(
                post?.methodIntegration?.uri == orders.resourceMethods["POST"]?.methodIntegration?.uri, "\(format)")
        }

        // Put merge keeps the authorizer's id; a method's authorizer cannot be deleted while used.
        let before = authorizers[0].id
        _ = try await control.putRestApi(api, document: Data(Self.document.utf8), mode: .merge)
        #expect(try control.authorizers(api: api).first { $0.name == "bearer" }?.id == before)
        await #expect(throws: GatewayError.self) { try await control.deleteAuthorizer(api: api, id: before) }
    }

    @Test func aBrokenAuthorizerIsRefusedWithItsPlace() async throws {
        let control = try memoryControl()
        let broken = Self.document.replacingOccurrences(of: "\"type\": \"token\"", with: "\"type\": \"magic\"")
        await #expect(throws: GatewayError.self) { try await control.importRestApi(Data(broken.utf8)) }
        do {
            _ = try await control.importRestApi(Data(broken.utf8))
        } catch let error as GatewayError {
            #expect(error.message.contains("Invalid authorizer type 'magic'"))
            #expect(error.message.contains("/securityDefinitions/bearer/x-amazon-apigateway-authorizer/type"))
        }
        #expect(try control.restApis().isEmpty)
    }
}
