package watcher

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Porch operations, as used in metric labels.
const (
	opCreate  = "create"
	opLookup  = "lookup"
	opPropose = "propose"
)

const (
	maxResponseBytes = 1 << 20
	retryBackoff     = 50 * time.Millisecond
)

// porchClient submits intents to the Porch REST API: create a package
// revision, then propose it. Both are idempotent from the watcher's side: the
// package name is derived from the intent's content; a 409 on create means an
// earlier interrupted submission created it (the revision is then looked up
// with GET .../packages/{name}, and if it carries spec.intent, that must be
// the intent being submitted), and a 409 on propose means it is already
// proposed. So an intent resubmitted after a shutdown or a crash is not
// created twice: submission is at-least-once on the wire, exactly-once in
// Porch.
type porchClient struct {
	client    *http.Client
	base      string
	namespace string
	repo      string
	attempts  int
	observe   func(op string, code int)
	retried   func()
}

type createRequest struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Workspace string          `json:"workspace"`
		Intent    json.RawMessage `json:"intent"`
		Revision  string          `json:"revision"`
	} `json:"spec"`
}

type proposalRequest struct {
	PackageRevision string `json:"packageRevision"`
	Namespace       string `json:"namespace"`
}

// PackageName is the Porch package name for an intent: its target plus the
// first 12 hex digits of the content's SHA-256, so equal content maps to one
// package.
func PackageName(target string, sum [32]byte) string {
	const maxTarget = 50
	if len(target) > maxTarget {
		target = strings.TrimRight(target[:maxTarget], "-")
	}
	return target + "-" + hex.EncodeToString(sum[:6])
}

// submit creates and proposes the package revision for one intent; existed
// reports that an earlier submission had already created it.
func (p *porchClient) submit(ctx context.Context, in Intent, raw []byte, sum [32]byte) (existed bool, err error) {
	var body createRequest
	body.Metadata.Name = PackageName(in.Target, sum)
	body.Metadata.Namespace = p.namespace
	body.Spec.Workspace = "ws-" + hex.EncodeToString(sum[:6])
	body.Spec.Intent = json.RawMessage(bytes.TrimSpace(raw))
	body.Spec.Revision = "v1"

	createURL := p.base + "/api/v1/repositories/" + url.PathEscape(p.repo) + "/packages"
	resp, code, err := p.post(ctx, opCreate, createURL, body)
	if err != nil {
		return false, err
	}
	existed = code == http.StatusConflict
	if existed {
		// Created by an earlier, interrupted submission: ask Porch for the
		// revision's name instead of creating it again.
		resp, err = p.get(ctx, opLookup, createURL+"/"+url.PathEscape(body.Metadata.Name))
		if err != nil {
			return existed, err
		}
	}
	// Porch names the revision (e.g. repo.package.workspace); use its name.
	revision := body.Metadata.Name
	var created struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Intent json.RawMessage `json:"intent"`
		} `json:"spec"`
	}
	if json.Unmarshal(resp, &created) == nil && created.Metadata.Name != "" {
		revision = created.Metadata.Name
	}
	if existed && len(created.Spec.Intent) > 0 && !sameJSON(created.Spec.Intent, body.Spec.Intent) {
		// The name carries 48 bits of the content hash: a different intent
		// under it is a collision (or someone else's package), not ours.
		return existed, fmt.Errorf("porch %s: package %s exists with a different intent %s; not proposing it", opLookup, body.Metadata.Name, clip(created.Spec.Intent))
	}
	_, _, err = p.post(ctx, opPropose, p.base+"/api/v1/proposals", proposalRequest{PackageRevision: revision, Namespace: p.namespace})
	return existed, err
}

// sameJSON reports whether a and b hold the same JSON value (objects
// compared by key, numbers by their text), so a server that re-encodes the
// intent (compacting it, escaping HTML characters, reordering keys) still
// matches.
func sameJSON(a, b []byte) bool {
	decode := func(raw []byte) (any, bool) {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v) == nil
	}
	va, okA := decode(a)
	vb, okB := decode(b)
	return okA && okB && reflect.DeepEqual(va, vb)
}

// get fetches one JSON object, retried like post; it wants 200.
func (p *porchClient) get(ctx context.Context, op, target string) ([]byte, error) {
	body, code, err := p.do(ctx, op, http.MethodGet, target, nil)
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("porch %s: GET %s: status %d: %s", op, target, code, clip(body))
	}
	return body, err
}

// post sends one JSON POST; 200, 201 and 409 (already there) are success.
func (p *porchClient) post(ctx context.Context, op, target string, v any) ([]byte, int, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return nil, 0, fmt.Errorf("porch %s: encode request: %w", op, err)
	}
	body, code, err := p.do(ctx, op, http.MethodPost, target, payload)
	if err == nil && code != http.StatusOK && code != http.StatusCreated && code != http.StatusConflict {
		err = fmt.Errorf("porch %s: POST %s: status %d: %s", op, target, code, clip(body))
	}
	return body, code, err
}

// do sends one request with bounded retries on transport errors, 429 and
// 5xx. It returns the response body (capped) and status of the final attempt;
// any other status is returned without error for the caller to judge.
func (p *porchClient) do(ctx context.Context, op, method, target string, payload []byte) ([]byte, int, error) {
	var lastErr error
	for attempt := 1; attempt <= p.attempts; attempt++ {
		if attempt > 1 {
			p.retried()
			t := time.NewTimer(retryBackoff << (attempt - 2))
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, 0, fmt.Errorf("porch %s: %w (last error: %v)", op, ctx.Err(), lastErr)
			case <-t.C:
			}
		}
		body, code, err := p.once(ctx, op, method, target, payload)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, 0, fmt.Errorf("porch %s: %w", op, err)
			}
			lastErr = err
		case code == http.StatusTooManyRequests || code >= 500:
			lastErr = fmt.Errorf("porch %s: %s %s: status %d: %s", op, method, target, code, clip(body))
		default:
			return body, code, nil
		}
	}
	return nil, 0, fmt.Errorf("porch %s: gave up after %d attempts: %w", op, p.attempts, lastErr)
}

func (p *porchClient) once(ctx context.Context, op, method, target string, payload []byte) ([]byte, int, error) {
	var reqBody io.Reader
	if payload != nil {
		reqBody = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reqBody)
	if err != nil {
		return nil, 0, fmt.Errorf("porch %s: build request: %w", op, err)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		p.observe(op, 0)
		return nil, 0, fmt.Errorf("porch %s: %s %s: %w", op, method, target, err)
	}
	// Read a bounded body, then drain the rest so the connection is reused.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	_ = resp.Body.Close()
	p.observe(op, resp.StatusCode)
	if err != nil {
		return nil, 0, fmt.Errorf("porch %s: read response: %w", op, err)
	}
	return body, resp.StatusCode, nil
}

// codeLabel is the metric label for a status code; 0 means a transport error.
func codeLabel(code int) string {
	if code == 0 {
		return "error"
	}
	return strconv.Itoa(code)
}
