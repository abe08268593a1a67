// Daemon: config, watcher, readiness, scheduler, sd_notify, services wired into a ServiceGroup.
