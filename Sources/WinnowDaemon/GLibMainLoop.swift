import CNotify
import Foundation

/// A GLib main loop on a dedicated thread: libnotify delivers action clicks only while one runs,
/// and every libnotify call is made on this thread (libnotify is not thread-safe).
final class GLibMainLoop: @unchecked Sendable {
    private let loop: OpaquePointer
    private var thread: Thread?

    init() {
        loop = g_main_loop_new(nil, 0)
    }

    func start() {
        nonisolated(unsafe) let loop = self.loop
        let thread = Thread { g_main_loop_run(loop) }
        thread.name = "winnow-glib"
        thread.start()
        self.thread = thread
    }

    func stop() {
        g_main_loop_quit(loop)
    }

    /// Runs `work` on the loop's thread, soon; never waits for it.
    func perform(_ work: @escaping () -> Void) {
        let box = Unmanaged.passRetained(WorkBox(work)).toOpaque()
        g_main_context_invoke(nil, { data in
            let box = Unmanaged<WorkBox>.fromOpaque(data!).takeRetainedValue()
            box.work()
            return 0  // G_SOURCE_REMOVE
        }, box)
    }

    private final class WorkBox {
        let work: () -> Void
        init(_ work: @escaping () -> Void) { self.work = work }
    }
}
