// Tests of the Checkpoint module.
