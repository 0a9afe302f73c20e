package emulator

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Replay window: a request timestamp more than this far from the emulator clock is expired.
const clockSkew = 15 * time.Minute

// nonceGeneration is how long one nonce generation lasts. A request stamped ts is accepted while the
// clock is within ts±clockSkew, a span of 2*clockSkew that starts at the earliest when the nonce is
// first seen; so a nonce must be remembered for 2*clockSkew, or a replay late in that span would pass.
const nonceGeneration = 2 * clockSkew

// maxNoncesPerGeneration bounds nonce memory (a fixed-size digest per nonce, whatever the nonce's
// length). Beyond it the cache rotates early, which shortens the replay window under extreme load
// instead of growing without limit.
const maxNoncesPerGeneration = 1 << 20

// nonceKey is a digest of (access key, nonce). Nonces are client-chosen and may be up to the header or
// body limit long; storing them verbatim would let a client pin up to a megabyte per request.
type nonceKey [sha256.Size]byte

// nonceCache remembers (access key, nonce) pairs in two generations: the current one and the previous
// one. A generation rotates every nonceGeneration, so a nonce is remembered for between one and two
// generations and memory is bounded by the request rate over two generations (and by
// maxNoncesPerGeneration).
type nonceCache struct {
	mu      sync.Mutex
	cur     map[nonceKey]struct{}
	prev    map[nonceKey]struct{}
	started time.Time // when cur began; zero until first use
}

func newNonceCache() *nonceCache {
	return &nonceCache{cur: make(map[nonceKey]struct{}), prev: make(map[nonceKey]struct{})}
}

// use records the nonce and reports whether it was fresh (not used within the window).
func (n *nonceCache) use(accessKeyID, nonce string, now time.Time) bool {
	h := sha256.New()
	h.Write([]byte(accessKeyID))
	h.Write([]byte{0})
	h.Write([]byte(nonce))
	var key nonceKey
	h.Sum(key[:0])
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.started.IsZero() {
		n.started = now
	}
	if elapsed := now.Sub(n.started); elapsed >= nonceGeneration || elapsed < -clockSkew || len(n.cur) >= maxNoncesPerGeneration {
		if elapsed >= 2*nonceGeneration || elapsed < -clockSkew {
			// Idle for more than two generations (or the clock jumped back): everything is stale.
			n.prev = make(map[nonceKey]struct{})
		} else {
			n.prev = n.cur
		}
		n.cur = make(map[nonceKey]struct{}, len(n.prev)/2)
		n.started = now
	}
	if _, ok := n.cur[key]; ok {
		return false
	}
	if _, ok := n.prev[key]; ok {
		return false
	}
	n.cur[key] = struct{}{}
	return true
}

func (n *nonceCache) size() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.cur) + len(n.prev)
}

// IssueTemporaryCredentials mints STS-style credentials for accountID, valid for ttl (default one
// hour) by the emulator clock: requests signed with accessKeyID/secret must carry token as
// SecurityToken (V1) or x-acs-security-token (V3). Like AssumeRole, it does not check that the account
// already has a permanent key.
func (s *Server) IssueTemporaryCredentials(accountID string, ttl time.Duration) (accessKeyID, secret, token string) {
	if ttl <= 0 {
		ttl = time.Hour
	}
	accessKeyID, secret, token, _ = s.issueTemporaryCredentials(accountID, ttl)
	return accessKeyID, secret, token
}

// maxTemporaryKeys bounds the key table: beyond it, issuing a key first drops the expired ones, so a
// client assuming roles in a loop cannot grow the table without limit. Below it expired keys stay,
// and answer InvalidSecurityToken.Expired as the real service does.
const maxTemporaryKeys = 4096

// issueTemporaryCredentials registers a fresh temporary key for accountID, valid for ttl by the
// emulator clock.
func (s *Server) issueTemporaryCredentials(accountID string, ttl time.Duration) (accessKeyID, secret, token string, expires time.Time) {
	accessKeyID = "STS." + randomToken(18, false)
	secret = randomToken(30, false)
	token = "CAIS" + randomToken(96, true)
	now := s.cfg.now()
	expires = now.Add(ttl)
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	if len(s.keys) >= maxTemporaryKeys {
		for id, c := range s.keys {
			if c.token != "" && !now.Before(c.expires) {
				delete(s.keys, id)
			}
		}
	}
	s.keys[accessKeyID] = &credential{accountID: accountID, secret: secret, token: token, expires: expires}
	return accessKeyID, secret, token, expires
}

// randomToken returns n random bytes encoded as base64 (URL alphabet, no padding) when b64, else hex.
// Real STS key ids and secrets are alphanumeric; dashes and underscores from the URL alphabet only
// appear in tokens, where they are legal.
func randomToken(n int, b64 bool) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	if b64 {
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return strings.ToUpper(hex.EncodeToString(b))[:n]
}
