package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

func terraform(ctx context.Context, tf, dir, rc, watch string, args ...string) (string, error) {
	var rss int64
	return terraformWatched(ctx, tf, dir, rc, watch, &rss, args...)
}

// terraformWatched runs the CLI and, when watch names the provider binary, samples the peak RSS
// (VmHWM) of every process running it.
func terraformWatched(ctx context.Context, tf, dir, rc, watch string, rss *int64, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, tf, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	if watch != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				if v := peakRSS(watch); v > *rss {
					*rss = v
				}
				select {
				case <-done:
					return
				case <-t.C:
				}
			}
		}()
	}
	err := cmd.Wait()
	close(done)
	wg.Wait()
	out := buf.String()
	if err != nil {
		var ee *exec.ExitError
		// plan -detailed-exitcode: 2 means changes, which a no-change plan must not have.
		if errors.As(err, &ee) {
			tail := out
			if len(tail) > 2000 {
				tail = tail[len(tail)-2000:]
			}
			return out, fmt.Errorf("%s %s: exit %d: %s", filepath.Base(tf), args[0], ee.ExitCode(), tail)
		}
		return out, err
	}
	return out, nil
}

// peakRSS is the largest VmHWM (kB) among processes whose executable is bin.
func peakRSS(bin string) int64 {
	ents, _ := os.ReadDir("/proc")
	var best int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err != nil || exe != bin {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				best = max(best, kb)
			}
		}
	}
	return best
}

// measure runs one phase of a scenario in mode with the CLI in work, watching the provider binary
// watch (none when empty), and counts the emulator's requests since *off.
func measure(ctx context.Context, tf, work, rc, watch string, emu *emulatorProc, off *int64, sc scenario, mode, phase string, args ...string) result {
	var rss int64
	start := time.Now()
	res, err := terraformWatched(ctx, tf, work, rc, watch, &rss, args...)
	wall := time.Since(start)
	time.Sleep(200 * time.Millisecond) // the last log lines
	var calls map[string]int
	calls, *off = emu.callsSince(*off)
	r := result{sc: sc, mode: mode, phase: phase, wall: wall, calls: calls, rssKB: rss, errors: strings.Count(res, "Error: ")}
	if err != nil {
		r.exitErr = err.Error()
		if r.errors == 0 {
			r.errors = 1
		}
	}
	return r
}
