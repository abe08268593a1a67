// Tests of the Daemon module.
