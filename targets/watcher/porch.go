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
	"strconv"
	"strings"
	"time"
)

// Porch operations, as used in metric labels.
const (
	opCreate  = "create"
	opPropose = "propose"
)

const (
	maxResponseBytes = 1 << 20
	retryBackoff     = 50 * time.Millisecond
)

// porchClient submits intents to the Porch REST API: create a package
// revision, then propose it. Both calls are idempotent from the watcher's
// side: the package name is derived from the intent's content, and a 409
// Conflict (already created / already proposed) counts as success, so an
// intent resubmitted after an interrupted shutdown is not created twice.
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

// submit creates and proposes the package revision for one intent.
func (p *porchClient) submit(ctx context.Context, in Intent, raw []byte, sum [32]byte) error {
	var body createRequest
	body.Metadata.Name = PackageName(in.Target, sum)
	body.Metadata.Namespace = p.namespace
	body.Spec.Workspace = "ws-" + hex.EncodeToString(sum[:6])
	body.Spec.Intent = json.RawMessage(bytes.TrimSpace(raw))
	body.Spec.Revision = "v1"

	createURL := p.base + "/api/v1/repositories/" + url.PathEscape(p.repo) + "/packages"
	resp, code, err := p.post(ctx, opCreate, createURL, body)
	if err != nil {
		return err
	}
	revision := body.Metadata.Name
	if code == http.StatusCreated {
		var created struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if json.Unmarshal(resp, &created) == nil && created.Metadata.Name != "" {
			revision = created.Metadata.Name
		}
	}
	_, _, err = p.post(ctx, opPropose, p.base+"/api/v1/proposals", proposalRequest{PackageRevision: revision, Namespace: p.namespace})
	return err
}

// post sends one JSON POST with bounded retries on transport errors, 429 and
// 5xx. It returns the response body (capped) and status of the final attempt.
func (p *porchClient) post(ctx context.Context, op, target string, v any) ([]byte, int, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return nil, 0, fmt.Errorf("porch %s: encode request: %w", op, err)
	}
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
		body, code, err := p.once(ctx, op, target, payload)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, 0, fmt.Errorf("porch %s: %w", op, err)
			}
			lastErr = err
		case code == http.StatusOK || code == http.StatusCreated || code == http.StatusConflict:
			return body, code, nil
		case code == http.StatusTooManyRequests || code >= 500:
			lastErr = fmt.Errorf("porch %s: POST %s: status %d: %s", op, target, code, clip(body))
		default:
			return body, code, fmt.Errorf("porch %s: POST %s: status %d: %s", op, target, code, clip(body))
		}
	}
	return nil, 0, fmt.Errorf("porch %s: gave up after %d attempts: %w", op, p.attempts, lastErr)
}

func (p *porchClient) once(ctx context.Context, op, target string, payload []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, 0, fmt.Errorf("porch %s: build request: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		p.observe(op, 0)
		return nil, 0, fmt.Errorf("porch %s: POST %s: %w", op, target, err)
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
