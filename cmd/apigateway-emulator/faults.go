package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cloudapi/terraform-provider-apigateway/internal/emulator"
)

// faultFlag collects repeated --fault values.
type faultFlag []emulator.Fault

func (f *faultFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, len(*f))
	for i, ft := range *f {
		parts[i] = fmt.Sprintf("%s:%s", ft.Action, ft.Kind)
	}
	return strings.Join(parts, ",")
}

func (f *faultFlag) Set(v string) error {
	ft, err := parseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, ft)
	return nil
}

// parseFault reads ACTION:KIND:VALUE (see the --fault usage). Kinds are matched case-insensitively
// because they are typed by hand.
func parseFault(v string) (emulator.Fault, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 3 {
		return emulator.Fault{}, fmt.Errorf("%q: want ACTION:KIND:VALUE", v)
	}
	action := parts[0]
	if action == "*" {
		action = ""
	}
	var kind emulator.FaultKind
	for _, k := range []emulator.FaultKind{emulator.FaultThrottling, emulator.FaultServiceUnavailable,
		emulator.FaultInternalError, emulator.FaultDrop, emulator.FaultProxyNotFound, emulator.FaultLatency} {
		if strings.EqualFold(parts[1], string(k)) {
			kind = k
		}
	}
	if kind == "" {
		return emulator.Fault{}, fmt.Errorf("%q: unknown kind %q (want Throttling, ServiceUnavailable, InternalError, Drop, ProxyNotFound or Latency)", v, parts[1])
	}
	ft := emulator.Fault{Action: action, Kind: kind}
	if kind == emulator.FaultLatency {
		if len(parts) > 4 {
			return emulator.Fault{}, fmt.Errorf("%q: want ACTION:Latency:DURATION[:RATE]", v)
		}
		d, err := time.ParseDuration(parts[2])
		if err != nil || d <= 0 {
			return emulator.Fault{}, fmt.Errorf("%q: latency %q is not a positive duration such as 200ms", v, parts[2])
		}
		ft.Latency = d
		if len(parts) == 4 {
			r, err := parseRate(parts[3])
			if err != nil {
				return emulator.Fault{}, fmt.Errorf("%q: %w", v, err)
			}
			ft.Rate = r
		}
		return ft, nil
	}
	if len(parts) != 3 {
		return emulator.Fault{}, fmt.Errorf("%q: want ACTION:KIND:RATE or ACTION:KIND:count=N", v)
	}
	if n, ok := strings.CutPrefix(parts[2], "count="); ok {
		count, err := strconv.Atoi(n)
		if err != nil || count <= 0 {
			return emulator.Fault{}, fmt.Errorf("%q: count %q is not a positive integer", v, n)
		}
		ft.Count = count
		return ft, nil
	}
	r, err := parseRate(parts[2])
	if err != nil {
		return emulator.Fault{}, fmt.Errorf("%q: %w", v, err)
	}
	ft.Rate = r
	return ft, nil
}

func parseRate(s string) (float64, error) {
	r, err := strconv.ParseFloat(s, 64)
	if err != nil || r <= 0 || r > 1 {
		return 0, fmt.Errorf("rate %q is not a number in (0,1]", s)
	}
	return r, nil
}
