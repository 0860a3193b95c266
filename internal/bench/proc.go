package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is sysconf(_SC_CLK_TCK), the unit of utime and stime in
// /proc/PID/stat. It is 100 on every Linux architecture Go supports.
const clockTicks = 100

// procCPU returns the user+system CPU time a process has used so far, from
// /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read cpu time: %w", err)
	}
	return parseStatCPU(b)
}

// parseStatCPU extracts utime+stime from the contents of /proc/PID/stat. The
// command name (field 2) is in parentheses and may itself contain spaces and
// parentheses, so fields are counted after the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, errors.New("parse /proc stat: no command name")
	}
	// After ')' come fields 3 (state), 4, ...; utime is field 14, stime 15.
	fields := strings.Fields(string(stat[end+1:]))
	if len(fields) < 13 {
		return 0, fmt.Errorf("parse /proc stat: %d fields after the command name", len(fields))
	}
	var ticks uint64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * (time.Second / clockTicks), nil
}

// memStatus is the memory part of /proc/PID/status, in bytes.
type memStatus struct {
	rss int64 // VmRSS: resident now
	hwm int64 // VmHWM: peak resident
}

// procMem reads a process's resident set size from /proc/PID/status.
func procMem(pid int) (memStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, fmt.Errorf("read memory status: %w", err)
	}
	return parseStatusMem(b)
}

// parseStatusMem extracts VmRSS and VmHWM ("VmRSS:   12345 kB") from the
// contents of /proc/PID/status.
func parseStatusMem(status []byte) (memStatus, error) {
	var m memStatus
	found := false
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return memStatus{}, fmt.Errorf("parse /proc status: bad %s line %q", key, sc.Text())
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return memStatus{}, fmt.Errorf("parse /proc status: %w", err)
		}
		if key == "VmRSS" {
			m.rss, found = kb<<10, true
		} else {
			m.hwm = kb << 10
		}
	}
	if !found {
		return memStatus{}, errors.New("parse /proc status: no VmRSS (kernel thread or zombie?)")
	}
	return m, nil
}

// cpuMeter samples the server's and this process's CPU time at phase
// boundaries. A server sample that fails (no PID, not Linux) reads as
// negative, and the figures built from it are left out.
type cpuMeter struct {
	pid int
}

// cpuSample is the CPU time used so far by the server and by the client.
type cpuSample struct {
	server time.Duration // -1 if unknown
	client time.Duration
}

func (m cpuMeter) sample() cpuSample {
	s := cpuSample{server: -1, client: selfCPU()}
	if m.pid <= 0 {
		return s
	}
	if d, err := procCPU(m.pid); err == nil {
		s.server = d
	}
	return s
}

// since returns the server and client CPU time used between from and to;
// server is -1 when unknown.
func (to cpuSample) since(from cpuSample) (server, client time.Duration) {
	server = -1
	if from.server >= 0 && to.server >= 0 {
		server = to.server - from.server
	}
	return server, to.client - from.client
}
