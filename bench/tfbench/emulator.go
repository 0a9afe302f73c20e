package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// emulatorProc is a running emulator and its request log.
type emulatorProc struct {
	cmd      *exec.Cmd
	endpoint string
	logPath  string
}

func startEmulator(ctx context.Context, bin, dir string, apis int, qps float64) (*emulatorProc, error) {
	seed := filepath.Join(dir, "seed.json")
	if err := writeSeed(seed, apis); err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "emulator.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := []string{"--listen", "127.0.0.1:0", "--region", region, "--seed", seed}
	if qps > 0 {
		args = append(args, "--qps", fmt.Sprint(qps))
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "APIGATEWAY_EMULATOR_ACCESS_KEY_ID="+accessKey, "APIGATEWAY_EMULATOR_ACCESS_KEY_SECRET="+secretKey)
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on http://") {
		_ = cmd.Process.Kill()
		if err == nil {
			err = errors.New("unexpected first line")
		}
		return nil, fmt.Errorf("emulator did not start: %q: %w", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return &emulatorProc{cmd: cmd, endpoint: strings.TrimSpace(strings.TrimPrefix(line, "listening on http://")), logPath: logPath}, nil
}

func (e *emulatorProc) stop() {
	_ = e.cmd.Process.Signal(os.Interrupt)
	_ = e.cmd.Wait()
}

// callsSince counts the request log's lines by action from byte offset off; it returns the new
// offset.
func (e *emulatorProc) callsSince(off int64) (map[string]int, int64) {
	f, err := os.Open(e.logPath)
	if err != nil {
		return nil, off
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, off
	}
	data, _ := io.ReadAll(f)
	// Only whole lines; a partial last line is counted next time.
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1]
	} else {
		data = nil
	}
	calls := map[string]int{}
	for _, line := range strings.Split(string(data), "\n") {
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "action="); ok {
				calls[a]++
				if strings.Contains(line, "code=Throttling") {
					calls["(throttled)"]++
				}
			}
		}
	}
	return calls, off + int64(len(data))
}
