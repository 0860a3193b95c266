// Command freshet is a self-hosted, wire-compatible Amazon Kinesis.
//
//	freshet [serve] [options]   run the server (the default)
//	freshet bench [options]     run the load generator
//	freshet version             print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/freshet/freshet/internal/app"
	"github.com/freshet/freshet/internal/bench"
	"github.com/freshet/freshet/internal/config"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// Freshet's heap is mostly short-lived request buffers: collecting
		// at 300 % growth instead of 100 % cuts GC work to about a third
		// for ~15 MiB more peak memory under load (idle RSS is unchanged).
		debug.SetGCPercent(300)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args)
	case "bench":
		return bench.Main(args, os.Stdout, os.Stderr)
	case "version":
		fmt.Println("freshet", app.VersionString())
		return 0
	case "help":
		config.Usage(os.Stdout)
		return 0
	}
	fmt.Fprintf(os.Stderr, "freshet: unknown command %q\n\n", cmd)
	config.Usage(os.Stderr)
	return 2
}

func serve(args []string) int {
	cfg, err := config.Load(args, os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		config.Usage(os.Stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "freshet:", err)
		return 2
	}
	log, err := config.NewLogger(os.Stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintln(os.Stderr, "freshet:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal kills the process at once
	}()
	if err := app.Run(ctx, cfg, log); err != nil {
		log.Error("freshet failed", "err", err)
		return 1
	}
	return 0
}
