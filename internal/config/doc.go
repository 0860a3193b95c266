// Package config is Freshet's configuration: the Config struct every
// subsystem reads, the `freshet serve` flags, FRESHET_* environment
// variables, the optional YAML file, the sectioned help text and the slog
// logger built from the logging settings.
//
// One table of options drives the flags, the environment, the YAML file,
// the help text and Redacted, so they cannot drift apart. Precedence is
// flag > environment > YAML file > default.
//
// The package imports only the standard library and gopkg.in/yaml.v3.
package config
