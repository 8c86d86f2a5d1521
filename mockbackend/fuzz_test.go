package mockbackend

import (
	"encoding/json"
	"errors"
	"testing"
)

// Fuzz targets for every request decoder. Their seed corpora live in
// testdata/fuzz/<FuzzName>/ and run as ordinary tests under `go test`;
// `go test -fuzz=FuzzDecodeChat` explores further.

// requireFieldError fails unless err is nil or a *fieldError naming a field,
// the only kind a handler turns into a 400 that names the field.
func requireFieldError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var fe *fieldError
	if !errors.As(err, &fe) || fe.Field == "" || fe.Msg == "" {
		t.Fatalf("decode error %#v is not a field error with a name and a message", err)
	}
}

func FuzzDecodeA1Policy(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := decodeA1Policy(b)
		requireFieldError(t, err)
		if err == nil && !json.Valid(body) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
	})
}

func FuzzDecodeA1PolicyType(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := decodeA1PolicyType(b, 7)
		requireFieldError(t, err)
		if err == nil && (body.Name == "" || len(body.PolicySchema) == 0) {
			t.Fatalf("accepted a type without name or schema: %q", b)
		}
	})
}

func FuzzDecodeE2Node(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeE2Node(b, "gnb1")
		requireFieldError(t, err)
		if err == nil && req.NodeID != "" && req.NodeID != "gnb1" {
			t.Fatalf("accepted node_id %q for path gnb1", req.NodeID)
		}
	})
}

func FuzzDecodeE2Subscription(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeE2Subscription(b)
		requireFieldError(t, err)
		if err == nil && (req.RANFunctionID == nil || len(req.Actions) == 0) {
			t.Fatalf("accepted a subscription without function or actions: %q", b)
		}
	})
}

func FuzzDecodeE2Control(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeE2Control(b)
		requireFieldError(t, err)
		if err == nil && req.RANFunctionID == nil {
			t.Fatalf("accepted a control request without ran_function_id: %q", b)
		}
	})
}

func FuzzDecodeE2Validate(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeE2Validate(b)
		requireFieldError(t, err)
	})
}

func FuzzDecodePorchCreate(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodePorchCreate(b)
		requireFieldError(t, err)
		if err == nil && req.Metadata.Name != "" && !validLabel(req.Metadata.Name) {
			t.Fatalf("accepted package name %q", req.Metadata.Name)
		}
	})
}

func FuzzDecodePorchObject(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodePorchObject(b)
		requireFieldError(t, err)
		if err != nil {
			return
		}
		if _, ok := parseLifecycle(req.Spec.Lifecycle); req.Spec.Lifecycle != "" && !ok {
			t.Fatalf("accepted lifecycle %q", req.Spec.Lifecycle)
		}
	})
}

// FuzzDecodePorchPatch also applies every accepted patch to a Draft: the
// result is a valid revision, a 400 or a 409, never a panic.
func FuzzDecodePorchPatch(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		pt, err := decodePorchPatch(b)
		requireFieldError(t, err)
		if err != nil {
			return
		}
		var p porchState
		pr := p.newRevision("ns", "", "repo", "pkg", "ws", "", nil)
		out, err := p.applyPatch(pr, pt)
		var ce *conflictError
		if err != nil && !errors.As(err, &ce) {
			requireFieldError(t, err)
		}
		if err == nil {
			if _, ok := parseLifecycle(out.Spec.Lifecycle); !ok {
				t.Fatalf("patch produced lifecycle %q", out.Spec.Lifecycle)
			}
		}
	})
}

func FuzzDecodePorchResource(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodePorchResource(b)
		requireFieldError(t, err)
	})
}

func FuzzDecodePorchProposal(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodePorchProposal(b)
		requireFieldError(t, err)
	})
}

func FuzzDecodePorchRollback(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodePorchRollback(b)
		requireFieldError(t, err)
	})
}

func FuzzDecodeRAGQuery(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeRAGQuery(b)
		requireFieldError(t, err)
	})
}

// FuzzDecodeRAGIntent also parses every accepted intent.
func FuzzDecodeRAGIntent(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeRAGIntent(b)
		requireFieldError(t, err)
		if err == nil {
			if in := parseIntent(req.Intent); in.Name == "" || in.Namespace == "" {
				t.Fatalf("parsed intent lacks name or namespace: %+v", in)
			}
		}
	})
}

func FuzzDecodeRAGProcess(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := decodeRAGProcess(b)
		requireFieldError(t, err)
	})
}

func FuzzDecodeChat(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := decodeChat(b)
		requireFieldError(t, err)
		if err == nil && len(req.Messages) == 0 {
			t.Fatalf("accepted a chat without messages: %q", b)
		}
	})
}

// FuzzDecodeConfig checks that any YAML either fails with a message naming
// the file or yields a Config that validates.
func FuzzDecodeConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := DecodeConfig(b, "fuzz.yaml", Config{})
		if err != nil {
			if len(err.Error()) < len("fuzz.yaml") || err.Error()[:len("fuzz.yaml")] != "fuzz.yaml" {
				t.Fatalf("error %q does not start with the file name", err)
			}
			return
		}
		if verr := cfg.Validate(); verr != nil {
			t.Fatalf("decoded config does not validate: %v", verr)
		}
	})
}
