import Foundation
import Testing
import WinnowCore

/// The built daemon, a private session bus and a recording notification server: what a desktop sees.
@Suite(.serialized) struct DesktopNotificationTests {
    static let notifyConfig = """
    [notify]
    burst_seconds = 10
    update_seconds = 1
    """

    @Test func aBurstOfImagesIsOneBubbleUpdatedInPlaceWithTheSummary() throws {
        let harness = try DaemonHarness(extraConfig: Self.notifyConfig)
        defer { harness.cleanUp() }
        let server = try NotificationServer(folder: harness.home)
        defer { server.stop() }
        harness.environment["DBUS_SESSION_BUS_ADDRESS"] = server.busAddress
        let opened = harness.home.appendingPathComponent("xdg-open.args")
        try harness.fakeCommand("xdg-open", script: "echo \"$@\" >> '\(opened.path)'")
        try harness.startDaemon()

        // Ten different pictures, the first four spread over two seconds, the rest at once, plus one of
        // them again under another name (an exact duplicate).
        let names = try DaemonHarness.faceImageNames(10)
        let started = Date()
        try harness.saveImages(Array(names.prefix(4)), subject: "test-subject", gap: 0.6)
        try harness.saveImages(Array(names.dropFirst(4)), subject: "test-subject", gap: 0)
        let again = harness.drop.appendingPathComponent("test-subject/again.jpg")
        try FileManager.default.copyItem(at: DaemonHarness.faceImages.appendingPathComponent(names[0]), to: again)

        try harness.wait("11 files placed", timeout: 90) { harness.placedFiles.count == 11 }
        try harness.wait("the bubble to say +11 images", timeout: 20) {
            try server.calls().last?.summary == "Test Subject: +11 images"
        }
        let calls = try server.calls()
        let elapsed = Date().timeIntervalSince(started)
        let first = try #require(calls.first)
        // One bubble: the first call opens it, every later call replaces it.
        #expect(first.replacesId == 0)
        #expect(calls.dropFirst().allSatisfy { $0.replacesId == first.id && $0.id == first.id })
        #expect(calls.count >= 2, "a burst spread over seconds updates the bubble at least once")
        // Coalesced: at most one update per `update_seconds` (however long a loaded machine takes per file).
        #expect(calls.count <= Int(elapsed / 1) + 1, "\(calls.count) updates in \(elapsed) s")
        #expect(calls.allSatisfy { $0.appName == "winnow" && $0.urgency == 0 && $0.actions == ["default", "Open folder"] })

        // The body says what the journal says.
        let database = try WinnowDatabase(file: harness.databaseFile)
        let rows = try Journal(database: database).list(subject: "test-subject")
        var expected = BurstSummary(subject: "test-subject")
        for row in rows { expected.verdicts[row.id!] = row.effectiveVerdict }
        let missing = try JournalMissingAngles(journal: Journal(database: database)).missingAngles(subject: "test-subject")
        #expect(calls.last?.body == expected.body(missing: missing))
        #expect(calls.last?.body.contains("1 duplicate") == true)

        // Clicking the bubble opens the subject's folder.
        try server.invokeAction(id: first.id)
        let folder = harness.library.appendingPathComponent("test-subject").path
        try harness.wait("xdg-open to be run", timeout: 10) {
            ((try? String(contentsOf: opened, encoding: .utf8)) ?? "") == folder + "\n"
        }
        #expect(harness.log.contains("notification action default: opening \(folder)"))

        // After a pause longer than the burst (10 s: longer than a loaded machine takes per file), the next
        // image opens a new bubble.
        Thread.sleep(forTimeInterval: 10.5)
        try harness.saveImages(try DaemonHarness.faceImageNames(1, skipping: 10), subject: "test-subject", gap: 0)
        try harness.wait("a second bubble", timeout: 30) { try server.calls().last?.summary == "Test Subject: +1 image" }
        let second = try #require(try server.calls().last)
        #expect(second.replacesId == 0)
        #expect(second.id != first.id)
        #expect(try harness.stopDaemon() == 0)
    }

    @Test func unreadableFilesAreNotifiedAtNormalUrgency() throws {
        let harness = try DaemonHarness(extraConfig: Self.notifyConfig)
        defer { harness.cleanUp() }
        let server = try NotificationServer(folder: harness.home)
        defer { server.stop() }
        harness.environment["DBUS_SESSION_BUS_ADDRESS"] = server.busAddress
        try harness.startDaemon()

        try harness.saveImages(try DaemonHarness.faceImageNames(1), subject: "anne")
        // A JPEG that stops after its header: the decoder cannot read it.
        let real = try Data(contentsOf: DaemonHarness.faceImages.appendingPathComponent(try DaemonHarness.faceImageNames(1, skipping: 1)[0]))
        try real.prefix(600).write(to: harness.drop.appendingPathComponent("anne/broken.jpg"))

        try harness.wait("2 files placed", timeout: 60) { harness.placedFiles.count == 2 }
        try harness.wait("the bubble to count both", timeout: 20) { try server.calls().last?.summary == "Anne: +2 images" }
        let last = try #require(try server.calls().last)
        // The skeleton's decoder calls a JPEG cut after its header "not an image"; either way it is a problem.
        let rows = try Journal(database: WinnowDatabase(file: harness.databaseFile)).list(subject: "anne")
        let verdict = try #require(rows.first { $0.sourcePath.hasSuffix("/broken.jpg") }?.effectiveVerdict)
        #expect([VerdictKind.unreadable, .notImage].contains(verdict))
        #expect(last.body.contains("1 \(verdict == .unreadable ? "unreadable" : "not an image")."))
        #expect(last.urgency == 1)
        try harness.stopDaemon()
    }

    @Test func aConfigErrorIsNotifiedOnceAndTheDaemonExitsWithOne() throws {
        let harness = try DaemonHarness(extraConfig: "[notify]\nquiet_hours = \"late\"")
        defer { harness.cleanUp() }
        let server = try NotificationServer(folder: harness.home)
        defer { server.stop() }
        harness.environment["DBUS_SESSION_BUS_ADDRESS"] = server.busAddress

        let first = try harness.run(["daemon"], timeout: 30)
        #expect(first.status == 1)
        #expect(first.stderr.contains("notify.quiet_hours"))
        let calls = try server.calls()
        #expect(calls.count == 1)
        #expect(calls.first?.summary == "winnow: configuration error")
        #expect(calls.first?.body.contains("notify.quiet_hours") == true)
        #expect(calls.first?.urgency == 1)

        // systemd restarts it: the same error is not shown again.
        let again = try harness.run(["daemon"], timeout: 30)
        #expect(again.status == 1)
        #expect(try server.calls().count == 1)
    }

    @Test func withoutASessionBusTheDaemonWarnsOnceAndCarriesOn() throws {
        let harness = try DaemonHarness(extraConfig: Self.notifyConfig)
        defer { harness.cleanUp() }
        try harness.startDaemon()  // DBUS_SESSION_BUS_ADDRESS points at a socket that does not exist

        try harness.saveImages(try DaemonHarness.faceImageNames(2), subject: "anne", gap: 0)
        try harness.wait("2 files placed", timeout: 60) { harness.placedFiles.count == 2 }
        try harness.wait("the notification attempt to fail", timeout: 10) { harness.log.contains("notifications unavailable") }
        // A second burst: still no second warning.
        Thread.sleep(forTimeInterval: 3.5)
        try harness.saveImages(try DaemonHarness.faceImageNames(1, skipping: 2), subject: "anne", gap: 0)
        try harness.wait("3 files placed", timeout: 60) { harness.placedFiles.count == 3 }
        Thread.sleep(forTimeInterval: 1.5)

        let warnings = harness.log.split(separator: "\n").filter { $0.contains("notifications unavailable") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("<4>") == true, "logged at warning priority")
        #expect(harness.daemon?.isRunning == true)
        #expect(try harness.stopDaemon() == 0)
    }

    @Test func withABusButNoNotificationServerTheDaemonWarnsOnceAndCarriesOn() throws {
        let harness = try DaemonHarness(extraConfig: Self.notifyConfig)
        defer { harness.cleanUp() }
        let bus = try NotificationServer(folder: harness.home, ownName: false)
        defer { bus.stop() }
        harness.environment["DBUS_SESSION_BUS_ADDRESS"] = bus.busAddress
        try harness.startDaemon()

        try harness.saveImages(try DaemonHarness.faceImageNames(2), subject: "anne", gap: 0)
        try harness.wait("2 files placed", timeout: 60) { harness.placedFiles.count == 2 }
        try harness.wait("the notification attempt to fail", timeout: 30) { harness.log.contains("notifications unavailable") }
        Thread.sleep(forTimeInterval: 3.5)
        try harness.saveImages(try DaemonHarness.faceImageNames(1, skipping: 2), subject: "anne", gap: 0)
        try harness.wait("3 files placed", timeout: 60) { harness.placedFiles.count == 3 }
        Thread.sleep(forTimeInterval: 1.5)

        #expect(harness.log.split(separator: "\n").filter { $0.contains("notifications unavailable") }.count == 1)
        #expect(try bus.calls().isEmpty)
        #expect(try harness.stopDaemon() == 0)
    }

    @Test func stoppingTheDaemonStillShowsTheBurstSoFar() throws {
        // An update interval far longer than the test: only the shutdown flush can show the bubble.
        let harness = try DaemonHarness(extraConfig: "[notify]\nupdate_seconds = 60")
        defer { harness.cleanUp() }
        let server = try NotificationServer(folder: harness.home)
        defer { server.stop() }
        harness.environment["DBUS_SESSION_BUS_ADDRESS"] = server.busAddress
        try harness.startDaemon()
        try harness.saveImages(try DaemonHarness.faceImageNames(2), subject: "anne", gap: 0)
        try harness.wait("2 files placed", timeout: 60) { harness.placedFiles.count == 2 }
        #expect(try server.calls().isEmpty)
        #expect(try harness.stopDaemon() == 0)
        #expect(try server.calls().map(\.summary) == ["Anne: +2 images"])
    }
}
