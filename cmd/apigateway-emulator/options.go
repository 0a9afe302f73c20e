package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"
)

// options turns the command line into emulator options. Only flags given explicitly are passed, so
// the library's defaults stay the single source of truth.
func (c *cliConfig) options() ([]emulator.Option, error) {
	opts := []emulator.Option{
		emulator.WithAddr(c.listen),
		emulator.WithRegion(c.region),
		emulator.WithAccount(emulator.Account{
			ID: emulator.DefaultAccountID, AccessKeyID: c.accessKeyID, AccessKeySecret: c.accessKeySecret,
		}),
	}
	if c.seed != nil {
		opts = append(opts, emulator.WithSeedData(c.seed))
	}
	if c.stateFile != "" {
		opts = append(opts, emulator.WithStateFile(c.stateFile))
	}
	if c.qps > 0 {
		opts = append(opts, emulator.WithQPSLimit(c.qps, c.burst))
	}
	if len(c.faults) > 0 {
		opts = append(opts, emulator.WithFaults(c.faults...))
	}
	if c.setFlags["latency"] {
		opts = append(opts, emulator.WithLatency(c.latency))
	}
	answer, ok := model.UnknownProductAnswers[c.unknownProduct]
	if !ok {
		return nil, usageError{fmt.Errorf("--unknown-product %q: want not-found, empty or other-code", c.unknownProduct)}
	}
	opts = append(opts, emulator.WithBehaviour(model.Behaviour{
		UnknownProduct:         answer,
		RefuseDetachUnattached: c.refuseDetach,
		RefuseDuplicateAttach:  c.refuseDuplicate,
		AttachVisibilityDelay:  c.visDelay,
		DetachVisibilityDelay:  c.detachVisDelay,
		CapPageSize:            c.capPage,
		RefusePageSizeAbove:    c.refusePageAbove,
		LockTimeoutEvery:       c.lockEvery,
		LockTimeoutAfterApply:  c.lockApplied,
		ProxyNotFoundEvery:     c.proxyEvery,
	}))
	if c.setFlags["max-items"] {
		if c.maxItems <= 0 {
			return nil, usageError{fmt.Errorf("--max-items %d must be positive", c.maxItems)}
		}
		opts = append(opts, emulator.WithMaxItemsPerCall(c.maxItems))
	}
	if c.setFlags["max-page-size"] {
		if c.maxPage <= 0 {
			return nil, usageError{fmt.Errorf("--max-page-size %d must be positive", c.maxPage)}
		}
		opts = append(opts, emulator.WithMaxPageSize(c.maxPage))
	}
	if c.setFlags["rand-seed"] {
		opts = append(opts, emulator.WithRandSeed(c.randSeed))
	}
	switch {
	case !c.tls && (c.tlsCert != "" || c.tlsKey != "" || c.caFile != ""):
		return nil, usageError{errors.New("--tls-cert, --tls-key and --ca-file need --tls")}
	case c.tls && (c.tlsCert != "") != (c.tlsKey != ""):
		return nil, usageError{errors.New("--tls-cert and --tls-key go together")}
	case c.tls && c.tlsCert != "" && c.caFile != "":
		return nil, usageError{errors.New("--ca-file is for the generated CA; with --tls-cert the client trusts your own CA")}
	case c.tls && c.tlsCert != "":
		opts = append(opts, emulator.WithTLSFiles(c.tlsCert, c.tlsKey))
	case c.tls:
		opts = append(opts, emulator.WithTLS(nil))
	}
	return opts, nil
}

// printCredentials says which keys the emulator accepts. A secret is printed only when it was
// generated here: the user cannot know it otherwise, and it protects nothing real.
func (c *cliConfig) printCredentials(w io.Writer, endpoint string) {
	fmt.Fprintf(w, "access key id: %s\n", c.accessKeyID)
	if c.secretGenerated {
		fmt.Fprintf(w, "access key secret: %s (generated; set --access-key-secret or $%s to choose one)\n",
			c.accessKeySecret, envAccessKeySecret)
	} else {
		fmt.Fprintln(w, "access key secret: (as given)")
	}
	fmt.Fprintf(w, "account: %s, region: %s, SDK endpoint: %s (protocol HTTP)\n",
		emulator.DefaultAccountID, c.region, endpoint)
	if c.seed != nil {
		for _, a := range c.seed.Accounts {
			if a.AccessKeyID != "" && a.AccessKeyID != c.accessKeyID {
				fmt.Fprintf(w, "access key id: %s (account %s; secret from %s)\n", a.AccessKeyID, a.ID, c.seedFile)
			}
		}
	}
}

func generateSecret() (string, error) {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating an access key secret: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// listenAddr makes an empty host mean loopback. net.Listen would bind every interface for ":8080",
// and the emulator accepts any signature made with its printed credentials, so it is reachable from
// other machines only when an address such as 0.0.0.0 or [::] is named explicitly.
func listenAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--listen %q: want HOST:PORT: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}
