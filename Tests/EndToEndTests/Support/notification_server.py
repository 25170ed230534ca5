#!/usr/bin/python3
"""A minimal freedesktop notification server for end-to-end tests.

Run it inside a private session bus:
    /usr/bin/python3 notification_server.py --private-bus --record FILE --address FILE
(--private-bus re-executes it under `dbus-run-session`, with no signals blocked, so that SIGTERM to the
server ends the server, the bus daemon and dbus-run-session together.)

It owns org.freedesktop.Notifications, appends one JSON line per Notify call to --record, writes the
bus address to --address once the name is owned (so the test can point the daemon at this bus), and
offers org.winnow.TestServer.InvokeAction(id, action_key) which emits ActionInvoked as if the user
had clicked the bubble. Uses Debian's python3-dbus and GLib: call it as /usr/bin/python3.
"""
import argparse
import json
import os
import signal
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class Server(dbus.service.Object):
    def __init__(self, bus, record):
        super().__init__(bus, PATH)
        self.record = record
        self.next_id = 1

    @dbus.service.method(BUS_NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body"]

    @dbus.service.method(BUS_NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("winnow-test", "winnow", "1.0", "1.2")

    @dbus.service.method(BUS_NAME, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout):
        if replaces_id:
            nid = int(replaces_id)
        else:
            nid = self.next_id
            self.next_id += 1
        urgency = hints.get("urgency")
        entry = {
            "id": nid,
            "app_name": str(app_name),
            "replaces_id": int(replaces_id),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "urgency": None if urgency is None else int(urgency),
            "desktop_entry": str(hints["desktop-entry"]) if "desktop-entry" in hints else None,
        }
        with open(self.record, "a") as f:
            f.write(json.dumps(entry) + "\n")
        return dbus.UInt32(nid)

    @dbus.service.method(BUS_NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.NotificationClosed(nid, 3)

    @dbus.service.signal(BUS_NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.signal(BUS_NAME, signature="us")
    def ActionInvoked(self, nid, action_key):
        pass

    @dbus.service.method("org.winnow.TestServer", in_signature="us", out_signature="")
    def InvokeAction(self, nid, action_key):
        self.ActionInvoked(nid, action_key)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    parser.add_argument("--address", required=True)
    parser.add_argument("--private-bus", action="store_true")
    parser.add_argument("--no-server", action="store_true",
                        help="own nothing: a session bus without a notification server")
    args = parser.parse_args()
    # A parent (the Swift test runner) may hand down blocked signals; exec'd children inherit the mask,
    # and the bus daemon must stop on SIGTERM like the server.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    if args.private_bus:
        rest = [a for a in sys.argv[1:] if a != "--private-bus"]
        os.execv("/usr/bin/dbus-run-session",
                 ["dbus-run-session", "--", sys.executable, os.path.abspath(__file__)] + rest)
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    name = server = None
    if not args.no_server:
        name = dbus.service.BusName(BUS_NAME, bus, do_not_queue=True)
        server = Server(bus, args.record)
    open(args.record, "a").close()
    with open(args.address + ".pid", "w") as f:
        f.write(str(os.getpid()))
    tmp = args.address + ".tmp"
    with open(tmp, "w") as f:
        f.write(os.environ["DBUS_SESSION_BUS_ADDRESS"])
    os.rename(tmp, args.address)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, 15, loop.quit)
    loop.run()
    del name, server


if __name__ == "__main__":
    sys.exit(main())
