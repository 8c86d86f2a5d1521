package scenario

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/oranbench/oranbench/targets/transport"
)

// DefaultArmBase is the base of an inline arm that names none.
const DefaultArmBase = transport.ProfileTuned

// resolveArms turns the arm specs into profiles: names are looked up (in reg,
// or the built-in profiles when reg is nil, or an earlier inline arm), inline
// arms are built from their base's Config with the given fields overridden
// and registered into reg. A name registered before with other settings is
// refused rather than silently replaced.
func (p *Plan) resolveArms(reg *transport.Registry) error {
	if len(p.spec.ArmSpecs) == 0 {
		return p.FieldErr("arms", "", "want at least one transport profile name or inline profile")
	}
	lookup := reg
	if lookup == nil {
		lookup = transport.NewRegistry()
	}
	p.arms, p.profiles, p.limits = nil, nil, nil
	local := map[string]transport.Profile{}
	find := func(name string) (transport.Profile, bool) {
		if prof, ok := local[name]; ok {
			return prof, true
		}
		prof, err := lookup.Lookup(name)
		return prof, err == nil
	}
	valid := func() string {
		names := lookup.Names()
		for n := range local {
			names = append(names, n)
		}
		return strings.Join(names, ", ")
	}
	for i, a := range p.spec.ArmSpecs {
		path := fmt.Sprintf("arms[%d]", i)
		for _, prev := range p.arms {
			if prev == a.Name {
				return p.FieldErr(path, a.Name, "the arm is listed twice; each arm needs its own name")
			}
		}
		limit, err := p.armLimit(path, a)
		if err != nil {
			return err
		}
		p.limits = append(p.limits, limit)
		if !a.Inline() {
			if a.Description != "" {
				return p.FieldErr(path+".description", a.Description, "only an inline arm (with base or config) takes a description")
			}
			prof, ok := find(a.Name)
			if !ok {
				return p.FieldErr(path, a.Name, "valid profiles are "+valid()+" (or define one inline: {name, base, config})")
			}
			p.arms, p.profiles = append(p.arms, a.Name), append(p.profiles, prof)
			continue
		}
		if !validName(a.Name) {
			return p.FieldErr(path+".name", a.Name, "want 1 to 63 lower-case letters, digits and dashes")
		}
		baseName := a.Base
		if baseName == "" {
			baseName = DefaultArmBase
		}
		base, ok := find(baseName)
		if !ok {
			return p.FieldErr(path+".base", baseName, "valid profiles are "+valid())
		}
		if base.Config == nil && a.Config == nil {
			// Only a limiter (qps, burst) on a profile built another way:
			// the arm runs that profile as it is.
			local[a.Name] = base
			p.arms, p.profiles = append(p.arms, a.Name), append(p.profiles, base)
			continue
		}
		if base.Config == nil {
			return p.FieldErr(path+".base", baseName, "this profile is not built from a transport Config (net/http or client-go builds it); use tuned or tuned-resume as base")
		}
		cfg := a.Config.apply(*base.Config)
		if err := cfg.Validate(); err != nil {
			var ce *transport.ConfigError
			if errors.As(err, &ce) {
				return p.FieldErr(path+".config."+ce.Field, ce.Value, ce.Valid)
			}
			return p.FieldErr(path+".config", "", err.Error())
		}
		desc := a.Description
		if desc == "" && a.Config != nil {
			desc = fmt.Sprintf("%s with %s", baseName, a.Config.String())
		}
		if desc == "" {
			desc = base.Description
		}
		prof := transport.FromConfig(a.Name, desc, cfg)
		if reg != nil {
			if old, err := reg.Lookup(a.Name); err == nil {
				if old.Config == nil || *old.Config != *prof.Config {
					return p.FieldErr(path+".name", a.Name, "a profile of this name already exists with other settings; choose another name")
				}
				prof = old
			} else if err := reg.Register(prof); err != nil {
				return p.FieldErr(path, a.Name, err.Error())
			}
		}
		local[a.Name] = prof
		p.arms, p.profiles = append(p.arms, a.Name), append(p.profiles, prof)
	}
	return nil
}

// Limit is an arm's client-side rate limit, as client-go's token bucket
// applies it: at most QPS requests per second once the first Burst are
// spent. The zero Limit is none.
type Limit struct {
	QPS   float64
	Burst int
}

// On reports whether the arm has a limiter.
func (l Limit) On() bool { return l.QPS > 0 }

// DefaultBurst is the burst of an arm that sets qps but no burst: twice the
// QPS, rounded up, as client-go's own default pair (QPS 5, burst 10); at
// least 1, since a token bucket of size 0 lets nothing through.
func DefaultBurst(qps float64) int { return max(1, int(math.Ceil(2*qps))) }

// maxLimit bounds qps and burst.
const maxLimit = 1e6

// armLimit checks arm a's qps and burst and fills in the default burst.
func (p *Plan) armLimit(path string, a ArmSpec) (Limit, error) {
	switch {
	case a.QPS < 0 || a.QPS > maxLimit || math.IsNaN(a.QPS):
		return Limit{}, p.FieldErr(path+".qps", ftoa(a.QPS), "want requests per second from 0 (no limiter) to 1000000, such as 20")
	case a.Burst < 0 || a.Burst > maxLimit:
		return Limit{}, p.FieldErr(path+".burst", itoa(a.Burst), "want 1 to 1000000 requests (0: twice the qps)")
	case a.Burst > 0 && a.QPS == 0:
		return Limit{}, p.FieldErr(path+".burst", itoa(a.Burst), "a burst needs a qps > 0 (qps 0 is no limiter)")
	case a.QPS == 0:
		return Limit{}, nil
	case p.spec.Load.Model == "storm" || p.spec.Load.Model == "soak":
		return Limit{}, p.FieldErr(path+".qps", ftoa(a.QPS), "the "+string(p.spec.Load.Model)+" model sends through clients of its own, without the arm's limiter; a limiter applies with the closed, open and search models")
	case a.Burst == 0:
		return Limit{QPS: a.QPS, Burst: DefaultBurst(a.QPS)}, nil
	}
	return Limit{QPS: a.QPS, Burst: a.Burst}, nil
}

// setIfSet writes *v to dst when the override v is set.
func setIfSet[T any](dst, v *T) {
	if v != nil {
		*dst = *v
	}
}

// apply returns c with the set fields of o written over it.
func (o *ArmConfig) apply(c transport.Config) transport.Config {
	if o == nil {
		return c
	}
	setD := func(dst *time.Duration, v *Duration) {
		if v != nil {
			*dst = v.Duration
		}
	}
	setIfSet(&c.MaxIdleConns, o.MaxIdleConns)
	setIfSet(&c.MaxIdleConnsPerHost, o.MaxIdleConnsPerHost)
	setIfSet(&c.MaxConnsPerHost, o.MaxConnsPerHost)
	setD(&c.IdleConnTimeout, o.IdleConnTimeout)
	setD(&c.TLSHandshakeTimeout, o.TLSHandshakeTimeout)
	setD(&c.DialTimeout, o.DialTimeout)
	setD(&c.KeepAlive, o.KeepAlive)
	setD(&c.ResponseHeaderTimeout, o.ResponseHeaderTimeout)
	setD(&c.ExpectContinueTimeout, o.ExpectContinueTimeout)
	setIfSet(&c.DisableKeepAlives, o.DisableKeepAlives)
	setIfSet(&c.ForceAttemptHTTP2, o.ForceAttemptHTTP2)
	setIfSet(&c.TLSSessionCacheSize, o.TLSSessionCacheSize)
	setD(&c.ClientTimeout, o.ClientTimeout)
	return c
}

// String lists the set fields, e.g. "MaxIdleConnsPerHost=2, MaxConnsPerHost=10".
func (o *ArmConfig) String() string {
	if o == nil {
		return "no overrides"
	}
	var parts []string
	addI := func(name string, v *int) {
		if v != nil {
			parts = append(parts, fmt.Sprintf("%s=%d", name, *v))
		}
	}
	addD := func(name string, v *Duration) {
		if v != nil {
			parts = append(parts, name+"="+v.String())
		}
	}
	addB := func(name string, v *bool) {
		if v != nil {
			parts = append(parts, fmt.Sprintf("%s=%t", name, *v))
		}
	}
	addI("MaxIdleConns", o.MaxIdleConns)
	addI("MaxIdleConnsPerHost", o.MaxIdleConnsPerHost)
	addI("MaxConnsPerHost", o.MaxConnsPerHost)
	addD("IdleConnTimeout", o.IdleConnTimeout)
	addD("TLSHandshakeTimeout", o.TLSHandshakeTimeout)
	addD("DialTimeout", o.DialTimeout)
	addD("KeepAlive", o.KeepAlive)
	addD("ResponseHeaderTimeout", o.ResponseHeaderTimeout)
	addD("ExpectContinueTimeout", o.ExpectContinueTimeout)
	addB("DisableKeepAlives", o.DisableKeepAlives)
	addB("ForceAttemptHTTP2", o.ForceAttemptHTTP2)
	addI("TLSSessionCacheSize", o.TLSSessionCacheSize)
	addD("ClientTimeout", o.ClientTimeout)
	if len(parts) == 0 {
		return "no overrides"
	}
	return strings.Join(parts, ", ")
}
