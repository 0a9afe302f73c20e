package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// Server limits. The emulator is a network service even inside a test, so every read is bounded.
const (
	maxBodyBytes   = 1 << 20
	maxHeaderBytes = 1 << 20
	readTimeout    = 30 * time.Second
	// writeTimeout must exceed the largest injected latency a test is likely to configure.
	writeTimeout    = 2 * time.Minute
	idleTimeout     = 2 * time.Minute
	shutdownTimeout = 10 * time.Second
)

// readHeaderTimeout bounds how long a client may take to send its headers (slowloris); a variable
// so that a test can shorten it instead of waiting for it.
var readHeaderTimeout = 10 * time.Second

// Server is an emulated CloudAPI (API Gateway 2016-07-14) OpenAPI endpoint. All methods are safe for
// concurrent use.
type Server struct {
	cfg *config

	ln   net.Listener
	http *http.Server

	// keysMu guards the credential tables. They are read on every request and written rarely.
	keysMu          sync.RWMutex
	keys            map[string]*credential
	runtimeAccounts []Account // accounts added by seeds at run time; persisted in snapshots

	// backend is the service model: every account's groups, APIs, products and apps. It has its own
	// locks; the server never holds one of its own while calling it.
	backend *model.Backend

	nonces *nonceCache
	stats  *counters
	faults *faultInjector
	sf     *stateFile
	// services maps an OpenAPI version to its operations by action: CloudAPI and STS.
	services map[string]map[string]operation
	// roles are the RAM roles AssumeRole hands out, by ARN (guarded by keysMu).
	roles   map[string]Role
	logMu   sync.Mutex
	closeMu sync.Mutex
	closed  bool
	closeEr error
	served  chan struct{}
	caPEM   []byte // the private CA's certificate when serving TLS with one

	// fresh holds connections that have not sent a byte yet (http.StateNew). Shutdown treats them as
	// busy for five seconds; clients' transports routinely leave such spare connections, so Close
	// closes them itself instead of waiting.
	freshMu sync.Mutex
	fresh   map[net.Conn]struct{}
}

// credential is what an access key resolves to. Temporary (STS) keys also carry their token and
// expiry.
type credential struct {
	accountID string
	secret    string
	token     string    // non-empty for temporary keys
	expires   time.Time // temporary keys only
}

// Start builds the server, restores the state file (or applies the seed when it held no state),
// listens and serves. It fails on a bad option, a bad state file or seed, or a listen error.
func Start(opts ...Option) (*Server, error) {
	s, err := build(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		if s.sf != nil {
			_ = s.sf.close()
		}
		return nil, fmt.Errorf("emulator: listen on %s: %w", s.cfg.addr, err)
	}
	if s.cfg.tls.enabled {
		tc, caPEM, err := s.cfg.tls.tlsConfig(ln.Addr())
		if err != nil {
			_ = ln.Close()
			if s.sf != nil {
				_ = s.sf.close()
			}
			return nil, err
		}
		ln = tls.NewListener(ln, tc)
		s.caPEM = caPEM
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         s.trackConn,
		// Connection-level errors (TLS probes, resets) are noise for a local emulator.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed after Shutdown/Close
	}()
	return s, nil
}

// build does everything of Start except listening: accounts, state file restore, seed.
func build(opts []Option) (*Server, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		keys:   make(map[string]*credential),
		nonces: newNonceCache(),
		stats:  newCounters(),
	}
	s.backend = model.NewBackend(s.persist)
	s.backend.SetBehaviour(cfg.behaviour)
	s.services = map[string]map[string]operation{apiVersion: operations(), stsVersion: stsOperations()}
	s.roles = make(map[string]Role, len(cfg.roles))
	for _, r := range cfg.roles {
		s.roles[r.ARN] = r
	}
	s.faults = newFaultInjector(cfg)
	for _, a := range cfg.accounts {
		s.keys[a.AccessKeyID] = &credential{accountID: a.ID, secret: a.AccessKeySecret}
	}
	restored := false
	var sf *stateFile
	if cfg.stateFile != "" {
		var data []byte
		sf, data, err = openStateFile(cfg.stateFile)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		if data != nil {
			if err := s.restore(data); err != nil {
				// The file is left untouched: sf is never scheduled, so nothing overwrites it.
				return nil, fmt.Errorf("emulator: state file %s: %w", cfg.stateFile, err)
			}
			restored = !s.backend.Empty()
		}
	}
	if cfg.seed != nil {
		for i, r := range cfg.seed.Roles {
			if err := validateRole(r.role()); err != nil {
				return nil, fmt.Errorf("emulator: seed: roles[%d]: %w", i, err)
			}
			s.roles[r.ARN] = r.role()
		}
	}
	// The seed is applied before the state file is attached: a seed that fails half way must not leave
	// its partial state on disk, where the next start would restore it and skip the (fixed) seed.
	seeded := false
	if cfg.seed != nil && !restored {
		if err := s.applySeed(cfg.seed); err != nil {
			return nil, fmt.Errorf("emulator: seed: %w", err)
		}
		seeded = true
	}
	s.sf = sf
	if seeded {
		s.persist()
	}
	return s, nil
}

// New is Start for tests: it panics when the server cannot start.
func New(opts ...Option) *Server {
	s, err := Start(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// URL is the base URL, e.g. "http://127.0.0.1:PORT", or "https://..." when serving TLS.
func (s *Server) URL() string {
	if s.cfg.tls.enabled {
		return "https://" + s.Endpoint()
	}
	return "http://" + s.Endpoint()
}

// Endpoint is "host:port", the form SDK Config.Endpoint wants (no scheme; protocol HTTP, or HTTPS
// when serving TLS).
func (s *Server) Endpoint() string { return s.ln.Addr().String() }

// CACertPEM is the PEM certificate of the private CA that signed the server's certificate (see
// WithTLS); nil for plain HTTP or a certificate given as files.
func (s *Server) CACertPEM() []byte { return append([]byte(nil), s.caPEM...) }

// Handler is the server's http.Handler, for benchmarks and embedding without the listener.
func (s *Server) Handler() http.Handler { return s }

// Close stops accepting connections, waits (bounded) for in-flight requests, then flushes the state
// file. It is idempotent; later calls return the first result.
func (s *Server) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return s.closeEr
	}
	s.closed = true
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		shutdownDone := make(chan error, 1)
		go func() { shutdownDone <- s.http.Shutdown(ctx) }()
		// Shutdown closes the listener first, which ends Serve; after that no new connection can
		// appear, and the ones that never sent a byte carry no request to finish.
		<-s.served
		s.closeFresh()
		err := <-shutdownDone
		cancel()
		if err != nil {
			// In-flight requests did not finish in time; cut them so Close returns.
			_ = s.http.Close()
			errs = append(errs, fmt.Errorf("emulator: shutdown: %w", err))
		}
	}
	if s.sf != nil {
		if err := s.sf.close(); err != nil {
			errs = append(errs, err)
		}
	}
	s.closeEr = errors.Join(errs...)
	return s.closeEr
}

func (s *Server) trackConn(c net.Conn, state http.ConnState) {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	if state == http.StateNew {
		if s.fresh == nil {
			s.fresh = make(map[net.Conn]struct{})
		}
		s.fresh[c] = struct{}{}
		return
	}
	delete(s.fresh, c)
}

// closeFresh closes connections that have not started a request.
func (s *Server) closeFresh() {
	s.freshMu.Lock()
	defer s.freshMu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
		delete(s.fresh, c)
	}
}

// addAccount registers an account at run time (seed files). An access key that already exists is an
// error unless it maps to the same account and secret, so re-applying a seed is harmless.
func (s *Server) addAccount(a Account) error {
	if err := validateAccount(a); err != nil {
		return err
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if c := s.keys[a.AccessKeyID]; c != nil {
		if c.token == "" && c.accountID == a.ID && c.secret == a.AccessKeySecret {
			return nil
		}
		return fmt.Errorf("emulator: access key %q is already registered for another account or secret", a.AccessKeyID)
	}
	s.keys[a.AccessKeyID] = &credential{accountID: a.ID, secret: a.AccessKeySecret}
	s.runtimeAccounts = append(s.runtimeAccounts, a)
	s.persist()
	return nil
}

// addAccountIfAbsent registers a persisted run-time account unless its key is already configured.
func (s *Server) addAccountIfAbsent(a Account) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if s.keys[a.AccessKeyID] != nil {
		return
	}
	s.keys[a.AccessKeyID] = &credential{accountID: a.ID, secret: a.AccessKeySecret}
	s.runtimeAccounts = append(s.runtimeAccounts, a)
}

// permanentAccounts returns the accounts that have a permanent (non-STS) access key.
func (s *Server) permanentAccounts() map[string]bool {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	known := map[string]bool{}
	for _, c := range s.keys {
		if c.token == "" {
			known[c.accountID] = true
		}
	}
	return known
}

// lookupKey resolves an access key id.
func (s *Server) lookupKey(id string) *credential {
	s.keysMu.RLock()
	defer s.keysMu.RUnlock()
	return s.keys[id]
}

// persist schedules a debounced state-file write; a no-op without a state file.
func (s *Server) persist() {
	if s.sf != nil {
		s.sf.schedule(s.snapshot)
	}
}
