package config

import (
	"fmt"
	"io"
	"strings"
)

// commands are the subcommands listed at the top of the help.
var commands = []struct{ name, usage string }{
	{"serve", "Run the server (default)"},
	{"bench", "Run the load generator against a server"},
	{"version", "Print the version"},
}

// Usage writes the sectioned help for `freshet serve`, generated from the
// option table.
func Usage(w io.Writer) {
	def := Default()
	width := 25
	for i := range options {
		if n := len(options[i].left()) + 2; n > width {
			width = n
		}
	}

	var b strings.Builder
	b.WriteString("Usage: freshet [command] [options]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-14s %s\n", c.name, c.usage)
	}
	for _, s := range sections {
		fmt.Fprintf(&b, "\n%s:\n", s)
		for i := range options {
			o := &options[i]
			if o.section != s {
				continue
			}
			fmt.Fprintf(&b, "      %-*s%s (%s)\n", width, o.left(), o.usage, o.notes(&def))
		}
	}
	fmt.Fprintf(&b, "\nCommon Options:\n  %-*s%s\n", width+4, "-h, --help", "Show this message")
	b.WriteString("\nEvery option can also be set in the environment as " + EnvPrefix + "<NAME>\n" +
		"(" + envName("data-dir") + ") or in the --config YAML file with underscores\n" +
		"(data_dir: ./freshet-data). Flags win over the environment, the\n" +
		"environment over the file, and the file over the defaults.\n")
	_, _ = io.WriteString(w, b.String())
}

// left is the option's left column in the help: the flag and its
// placeholder, or the variable for environment-only options.
func (o *option) left() string {
	if o.envOnly {
		return o.env()
	}
	if o.arg == "" {
		return "--" + o.name
	}
	return "--" + o.name + " " + o.arg
}

// notes is the parenthesised tail of the option's help line: its default
// and where else it can be set.
func (o *option) notes(def *Config) string {
	if o.envOnly {
		return "environment only"
	}
	var parts []string
	if d := o.format(def); d != "" && !o.isBool() {
		parts = append(parts, "default: "+d)
	}
	parts = append(parts, "env "+o.env())
	return strings.Join(parts, "; ")
}
