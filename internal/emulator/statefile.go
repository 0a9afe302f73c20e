package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// stateFileDebounce bounds how long a mutation may stay unpersisted. Writes are coalesced: all
// mutations within one window cost one snapshot and one fsync.
const stateFileDebounce = 75 * time.Millisecond

// stateFile persists snapshots of the server state to one file. Every write replaces the file
// atomically (temp file in the same directory, fsync, rename, fsync of the directory), so a crash
// leaves either the old or the new snapshot, never a torn one.
//
// Locking: schedule may be called while the server holds its own state lock, and the snapshot
// function takes that lock, so mu is never held while snapshotting. writeMu serializes snapshot+write
// pairs: the last write on disk is always the newest snapshot.
type stateFile struct {
	path  string
	delay time.Duration // stateFileDebounce; tests lengthen it to make coalescing deterministic

	mu       sync.Mutex
	snapshot func() ([]byte, error)
	timer    *time.Timer
	closed   bool
	err      error // last write error; cleared by a later successful write

	writeMu sync.Mutex
}

// openStateFile checks path before the server starts. It returns the existing snapshot, or nil when
// the file does not exist yet. A file that exists but cannot be read or is not an emulator snapshot
// is an error, and no stateFile is returned, so nothing can ever overwrite it: the user decides
// whether to repair or delete it.
func openStateFile(path string) (*stateFile, []byte, error) {
	if path == "" {
		return nil, nil, errors.New("state file: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("state file %s: %w", path, err)
	}
	data, err := os.ReadFile(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Fail now, not on the first debounced write, when the directory is missing or not a directory.
		dir := filepath.Dir(abs)
		st, derr := os.Stat(dir)
		if derr != nil {
			return nil, nil, fmt.Errorf("state file %s: directory %s: %w", path, dir, derr)
		}
		if !st.IsDir() {
			return nil, nil, fmt.Errorf("state file %s: %s is not a directory", path, dir)
		}
		return &stateFile{path: abs, delay: stateFileDebounce}, nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("state file %s cannot be read (it was left untouched): %w", path, err)
	}
	if err := checkSnapshot(data); err != nil {
		return nil, nil, fmt.Errorf("state file %s is not a valid emulator state file (it was left untouched; "+
			"repair or remove it to start with empty state): %w", path, err)
	}
	return &stateFile{path: abs, delay: stateFileDebounce}, data, nil
}

// checkSnapshot is the structural check done before handing bytes to restore: a JSON object with a
// "version" member. restore does the deeper, version-specific validation.
func checkSnapshot(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("file is empty")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset)
			return fmt.Errorf("invalid JSON at line %d, column %d: %w", line, col, err)
		}
		return fmt.Errorf("not a JSON object: %w", err)
	}
	v, ok := top["version"]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return errors.New(`missing "version" field`)
	}
	return nil
}

// schedule asks for the state to be written soon. The snapshot is taken when the write happens, not
// now, so a burst of mutations is persisted once with its final state. After close, schedule does
// nothing: the final flush has already happened.
func (sf *stateFile) schedule(snapshot func() ([]byte, error)) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if sf.closed {
		return
	}
	sf.snapshot = snapshot
	if sf.timer == nil {
		sf.timer = time.AfterFunc(sf.delay, sf.flushPending)
	}
}

// flushPending writes the pending snapshot, if any. It runs on the debounce timer and from close.
func (sf *stateFile) flushPending() {
	sf.writeMu.Lock()
	defer sf.writeMu.Unlock()
	sf.mu.Lock()
	fn := sf.snapshot
	sf.snapshot = nil
	sf.timer = nil
	sf.mu.Unlock()
	if fn == nil {
		return
	}
	err := sf.write(fn)
	sf.mu.Lock()
	sf.err = err
	sf.mu.Unlock()
}

func (sf *stateFile) write(fn func() ([]byte, error)) error {
	data, err := fn()
	if err != nil {
		return fmt.Errorf("state file %s: snapshot: %w", sf.path, err)
	}
	if err := writeFileAtomic(sf.path, data); err != nil {
		return fmt.Errorf("state file %s: %w", sf.path, err)
	}
	return nil
}

// close writes any pending snapshot, waits for a write in progress, and stops further scheduling. It
// returns the error of the last write, so a state file that could not be written is not silent.
func (sf *stateFile) close() error {
	sf.mu.Lock()
	if sf.closed {
		err := sf.err
		sf.mu.Unlock()
		return err
	}
	sf.closed = true
	if sf.timer != nil {
		// Whether or not the timer already fired, flushPending below takes writeMu, so it either runs
		// the write itself or waits for the timer's write to finish.
		sf.timer.Stop()
	}
	sf.mu.Unlock()
	sf.flushPending()
	sf.mu.Lock()
	defer sf.mu.Unlock()
	return sf.err
}

// writeFileAtomic replaces path with data so that readers and crashes see the old or the new content.
// The file is 0600: snapshots may hold account secrets.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes the rename durable. Windows cannot open a directory for syncing; there the rename is
// as durable as the file system makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if dir == "" {
		dir = "."
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// lineCol converts a byte offset into 1-based line and column numbers for error messages.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	prefix := data[:offset]
	line = bytes.Count(prefix, []byte("\n")) + 1
	col = int(offset) - bytes.LastIndexByte(prefix, '\n')
	return line, col
}

// snapshotVersion is bumped on incompatible changes of the snapshot layout; restore refuses others.
const snapshotVersion = 1

// snapshotDoc is the state file: the model's snapshot plus the accounts registered at run time.
type snapshotDoc struct {
	Version int `json:"version"`
	// Accounts registered at run time (seed files). Option accounts are not stored: they come from
	// the options on every start, and a changed secret there must win.
	Accounts []snapAccount `json:"accounts,omitempty"`
	model.Snapshot
}

type snapAccount struct {
	ID              string `json:"id"`
	AccessKeyID     string `json:"accessKeyId"`
	AccessKeySecret string `json:"accessKeySecret"`
}

// snapshot encodes every account's state (and run-time accounts) as JSON with a version field.
func (s *Server) snapshot() ([]byte, error) {
	doc := snapshotDoc{Version: snapshotVersion, Accounts: s.runtimeAccountList(), Snapshot: s.backend.Snapshot()}
	return json.MarshalIndent(doc, "", " ")
}

// runtimeAccountList returns the accounts registered at run time, for the snapshot.
func (s *Server) runtimeAccountList() []snapAccount {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	var out []snapAccount
	for _, a := range s.runtimeAccounts {
		out = append(out, snapAccount{ID: a.ID, AccessKeyID: a.AccessKeyID, AccessKeySecret: a.AccessKeySecret})
	}
	return out
}

// restore replaces all state with a snapshot. The model checks the whole snapshot before anything
// replaces the server's state, so a snapshot that does not make sense is an error and leaves the
// server empty rather than half loaded. Run-time accounts in the snapshot are registered unless
// their access key is already configured (options win).
func (s *Server) restore(data []byte) error {
	var doc snapshotDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	if doc.Version != snapshotVersion {
		return fmt.Errorf("state snapshot: unsupported version %d (this emulator reads version %d)", doc.Version, snapshotVersion)
	}
	for _, a := range doc.Accounts {
		if err := validateAccount(Account(a)); err != nil {
			return fmt.Errorf("state snapshot: %w", err)
		}
	}
	b, err := model.Restore(doc.Snapshot, s.persist)
	if err != nil {
		return err
	}
	for _, a := range doc.Accounts {
		s.addAccountIfAbsent(Account(a))
	}
	b.SetBehaviour(s.cfg.behaviour)
	s.backend = b
	return nil
}
