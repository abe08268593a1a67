// Tests of the Store module.
