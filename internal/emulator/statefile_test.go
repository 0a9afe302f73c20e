package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func snapshotOf(s string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(s), nil }
}

func TestStateFileWriteAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	sf, data, err := openStateFile(path)
	if err != nil || data != nil {
		t.Fatalf("openStateFile(missing) = %v, %q; want no error, nil data", err, data)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("opening created the file: %v", err)
	}
	sf.schedule(snapshotOf(`{"version":1,"n":1}`))
	if err := sf.close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != `{"version":1,"n":1}` {
		t.Fatalf("file = %q, %v", got, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600 (snapshots may hold secrets)", st.Mode(), err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the state file (temp file left behind?)", len(entries))
	}

	sf2, data, err := openStateFile(path)
	if err != nil || string(data) != `{"version":1,"n":1}` {
		t.Fatalf("reopen = %q, %v", data, err)
	}
	if got := closedContent(t, sf2, path); got != `{"version":1,"n":1}` {
		t.Fatalf("close without schedule rewrote the file: %q", got)
	}
}

func TestStateFileDebounceCoalesces(t *testing.T) {
	sf, path := newTestStateFile(t)
	sf.delay = time.Hour // nothing fires on its own: only close flushes
	var calls atomic.Int32
	for i := 0; i < 100; i++ {
		sf.schedule(func() ([]byte, error) {
			calls.Add(1)
			return []byte(fmt.Sprintf(`{"version":1,"n":%d}`, i)), nil
		})
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("written before the debounce elapsed")
	}
	if err := sf.close(); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("snapshot taken %d times for 100 schedules, want 1", n)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"version":1,"n":99}` {
		t.Fatalf("file = %q, want the last snapshot", got)
	}
	// After close, schedule is a no-op.
	sf.schedule(snapshotOf(`{"version":1,"n":"late"}`))
	if got := closedContent(t, sf, path); got != `{"version":1,"n":99}` {
		t.Fatalf("schedule after close wrote %q", got)
	}
}

func TestStateFileTimerWritesWithoutClose(t *testing.T) {
	sf, path := newTestStateFile(t)
	sf.delay = time.Millisecond
	sf.schedule(snapshotOf(`{"version":1}`))
	deadline := time.Now().Add(10 * time.Second)
	for {
		if got, err := os.ReadFile(path); err == nil {
			if string(got) != `{"version":1}` {
				t.Fatalf("file = %q", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("debounced write never happened")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := sf.close(); err != nil {
		t.Fatal(err)
	}
}

func TestStateFileConcurrentSchedulesEndWithLatest(t *testing.T) {
	sf, path := newTestStateFile(t)
	sf.delay = 100 * time.Microsecond
	var mu sync.Mutex
	n := 0
	snap := func() ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		return []byte(fmt.Sprintf(`{"version":1,"n":%d}`, n)), nil
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				mu.Lock()
				n++
				mu.Unlock()
				sf.schedule(snap)
			}
		}()
	}
	wg.Wait()
	if got := closedContent(t, sf, path); got != `{"version":1,"n":400}` {
		t.Fatalf("file = %q, want the state after all 400 mutations", got)
	}
}

func TestStateFileSnapshotErrorKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"old":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	sf, _, err := openStateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sf.schedule(func() ([]byte, error) { return nil, errors.New("boom") })
	err = sf.close()
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("close error = %v, want one naming the file and the cause", err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"version":1,"old":true}` {
		t.Fatalf("file changed to %q", got)
	}
}

func TestStateFileRejectsBadFilesAndLeavesThemUntouched(t *testing.T) {
	cases := map[string]string{
		"not JSON":        "{\n  \"version\": 1,\n  oops\n}",
		"no version":      `{"state":[]}`,
		"null version":    `{"version":null}`,
		"array":           `[{"version":1}]`,
		"empty":           "",
		"truncated write": `{"version":1,"state":[{"acc`,
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			sf, data, err := openStateFile(path)
			if err == nil || sf != nil || data != nil {
				t.Fatalf("openStateFile = %v, %q, %v; want an error", sf, data, err)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "untouched") {
				t.Errorf("error %q does not name the file or say it was left alone", err)
			}
			if name == "not JSON" && !strings.Contains(err.Error(), "line 3") {
				t.Errorf("error %q lacks the line of the syntax error", err)
			}
			got, _ := os.ReadFile(path)
			st, _ := os.Stat(path)
			if !bytes.Equal(got, []byte(content)) || !st.ModTime().Equal(old) || st.Mode().Perm() != 0o644 {
				t.Errorf("file was modified: %q mtime %v mode %v", got, st.ModTime(), st.Mode())
			}
		})
	}
}

func TestStateFileUnreadableOrMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be cannot be read as a file (works even as root).
	if _, _, err := openStateFile(dir); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("directory as state file: err = %v", err)
	}
	missing := filepath.Join(dir, "no", "such", "state.json")
	if _, _, err := openStateFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "no")); !errors.Is(err, os.ErrNotExist) {
		t.Error("openStateFile created directories")
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\nef")
	for _, c := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {1, 1, 2}, {3, 2, 1}, {4, 2, 2}, {7, 3, 2}, {100, 3, 3}} {
		if l, col := lineCol(data, c.off); l != c.line || col != c.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", c.off, l, col, c.line, c.col)
		}
	}
}

// newTestStateFile opens a state file in a fresh directory and returns it and its path.
func newTestStateFile(t *testing.T) (*stateFile, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	sf, _, err := openStateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sf, path
}

// closedContent closes sf and returns what path holds then.
func closedContent(t *testing.T, sf *stateFile, path string) string {
	t.Helper()
	if err := sf.close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	return string(got)
}
