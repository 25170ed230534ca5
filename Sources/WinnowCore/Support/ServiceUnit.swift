/// The systemd user unit. `systemd/winnow.service` in the repository is this text for the
/// binary at `~/.local/bin/winnow`; a test keeps the two identical.
public enum ServiceUnit {
    public static let defaultExecutable = "%h/.local/bin/winnow"

    public static func text(executable: String = defaultExecutable) -> String {
        """
        [Unit]
        Description=winnow: sorts images saved for LoRA training
        After=graphical-session.target

        [Service]
        Type=notify
        NotifyAccess=main
        ExecStart=\(executable) daemon
        Restart=on-failure
        RestartSec=2
        WatchdogSec=30
        TimeoutStopSec=30
        # Background work: the browser the user is saving from comes first (lowering priority needs no privilege).
        Nice=10
        IOSchedulingClass=best-effort
        IOSchedulingPriority=7
        # Hardening that works without privileges (ProtectHome and friends do not in user units).
        NoNewPrivileges=yes
        LockPersonality=yes
        RestrictRealtime=yes
        SystemCallArchitectures=native

        [Install]
        WantedBy=default.target

        """
    }
}
