import Foundation
import GatewayControl
import GatewayModel
import GatewayStore
import TestSupport
import Testing

@Suite struct StoreTests {
    /// What makes every node serve a change at once: a write through one store is announced, with its generation,
    /// to every other store LISTENing on the same PostgreSQL database; a cache flush too.
    @Test(.timeLimit(.minutes(1))) func aWriteOnAPostgresStateIsAnnouncedToTheOtherNodes() async throws {
        let database = try PostgresTestDatabase.make()
        defer { database.stop() }
        let writer = try GatewayControl(location: database.url)
        let reader = try GatewayStore(location: database.url)
        let notices = try #require(reader.notices())
        defer { notices.stop() }
        var iterator = notices.stream.makeAsyncIterator()
        #expect(await iterator.next() == .connected)
        _ = try await writer.createApiKey(name: "announced", enabled: true)
        let generation = try writer.store.generation()
        #expect(await iterator.next() == .changed(generation: generation))
        try writer.store.announceCacheFlush(api: "a1b2c3d4e5", stage: "prod", authorizers: false)
        #expect(await iterator.next() == .cacheFlushed(api: "a1b2c3d4e5", stage: "prod", authorizers: false))
        try writer.store.announceCacheInvalidation(api: "a1b2c3d4e5", stage: "prod", key: "GET /pets")
        #expect(await iterator.next() == .cacheInvalidated(api: "a1b2c3d4e5", stage: "prod", key: "GET /pets"))
        // A SQLite state has no notifications: its readers look at the generation.
        #expect(try GatewayStore(location: ":memory:").notices() == nil)
    }

    @Test func stateSurvivesReopening() async throws {
        let state = TemporaryState()
        defer { state.cleanup() }
        let apiId: String
        let keyValue: String
        do {
            let control = try GatewayControl(location: state.path)
            apiId = try await control.importRestApi(try Fixtures.data("aws-console-petstore-swagger2.json")).api.id
            keyValue = try await control.createApiKey(name: "test", enabled: true).value
        }
        let reopened = try GatewayControl(location: state.path)
        #expect(try reopened.restApi(apiId).name == "PetStore")
        #expect(try reopened.resources(api: apiId).map(\.path) == ["/", "/pets", "/pets/{petId}"])
        #expect(try reopened.apiKeys().map(\.value) == [keyValue])
        #expect(
            FileManager.default.fileExists(atPath: state.path + "-wal")
                || FileManager.default.fileExists(atPath: state.path))
    }

    @Test func twoProcessesShareOneStateFile() async throws {
        let state = TemporaryState()
        defer { state.cleanup() }
        let first = try GatewayControl(location: state.path)
        let second = try GatewayControl(location: state.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let control = index.isMultiple(of: 2) ? first : second
                group.addTask { _ = try await control.createApiKey(name: "key\(index)", enabled: true) }
            }
            try await group.waitForAll()
        }
        #expect(try first.apiKeys().count == 20)
        #expect(try second.apiKeys().count == 20)
    }

    @Test func notADatabaseIsAClearError() throws {
        let state = TemporaryState()
        defer { state.cleanup() }
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: state.path).deletingLastPathComponent().path, withIntermediateDirectories: true
        )
        try Data(String(repeating: "this is not sqlite\n", count: 100).utf8).write(to: URL(fileURLWithPath: state.path))
        do {
            _ = try GatewayStore(location: state.path)
            Issue.record("opened a text file as state")
        } catch {
            #expect(error.description.contains("is not a Gatehouse state database"), "\(error)")
        }
    }

    @Test func defaultLocationFollowsXDG() {
        #expect(
            GatewayStore.defaultLocation(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/home/u"])
                == "/x/state/gatehouse/gatehouse.sqlite")
        #expect(
            GatewayStore.defaultLocation(environment: ["HOME": "/home/u"])
                == "/home/u/.local/state/gatehouse/gatehouse.sqlite")
    }

    @Test func memoryStateWritesNoFile() async throws {
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath))
        let control = try memoryControl()
        _ = try await control.createRestApi(name: "x")
        let after = Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath))
        #expect(after == before)
    }

    @Test func changesAreAnnounced() async throws {
        let control = try memoryControl()
        let events = await control.events()
        let api = try await control.createRestApi(name: "watched")
        let resource = try await control.createResource(api: api.id, parentId: api.rootResourceId, pathPart: "a")
        try await control.deleteRestApi(api.id)
        var seen: [ChangeEvent] = []
        for await event in events {
            seen.append(event)
            if seen.count == 3 { break }
        }
        #expect(
            seen == [
                ChangeEvent(kind: .restApi, action: .created, id: api.id, apiId: api.id),
                ChangeEvent(kind: .resource, action: .created, id: resource.id, apiId: api.id),
                ChangeEvent(kind: .restApi, action: .deleted, id: api.id, apiId: api.id),
            ])
    }
}
