// Command injector is the e2e suite's stand-in for Istio's sidecar injector: a mutating admission
// webhook (admission.k8s.io/v1, HTTPS) that adds an `istio-proxy` container to every Pod it is asked
// about, the way Istio's injector does:
//
//   - the proxy is appended to spec.containers (Istio's default; holdApplicationUntilProxyStarts would
//     put it first), with a readiness probe on :15021/healthz/ready, the port and path of Istio's proxy;
//   - the pod gets the annotation sidecar.istio.io/status naming what was injected;
//   - a pod that has an istio-proxy container already, or the annotation sidecar.istio.io/inject:
//     "false", is left alone (so a reinvocation is harmless).
//
// The proxy is the e2e workload image (test/e2e/images/workload): it serves /healthz/ready on :15021
// and turns ready -ready-after after it starts, and logs its start and ready times as JSON lines.
//
//	injector -tls-cert-file tls.crt -tls-key-file tls.key [-port 9443] [-image REF] [-ready-after 3s]
//
// One log line per review (JSON): {"event":"review","uid":…,"pod":…,"injected":true,"micros":…}.
package main

import (
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"
)

const proxyName = "istio-proxy"

type review struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Request    *request  `json:"request,omitempty"`
	Response   *response `json:"response,omitempty"`
}

type request struct {
	UID       string                `json:"uid"`
	Kind      struct{ Kind string } `json:"kind"`
	Namespace string                `json:"namespace"`
	Name      string                `json:"name"`
	Object    json.RawMessage       `json:"object"`
}

type response struct {
	UID       string `json:"uid"`
	Allowed   bool   `json:"allowed"`
	PatchType string `json:"patchType,omitempty"`
	Patch     []byte `json:"patch,omitempty"`
}

type pod struct {
	Metadata struct {
		Name         string            `json:"name"`
		GenerateName string            `json:"generateName"`
		Annotations  map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		Containers []struct {
			Name string `json:"name"`
		} `json:"containers"`
	} `json:"spec"`
}

type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

type config struct {
	image      string
	readyAfter time.Duration
}

// proxyContainer is what gets injected: the workload image playing Istio's proxy.
func (c config) proxyContainer() map[string]any {
	return map[string]any{
		"name":            proxyName,
		"image":           c.image,
		"imagePullPolicy": "Never",
		"command":         []string{"/workload"},
		"args": []string{"-name=" + proxyName, "-port=15021", "-ready-path=/healthz/ready",
			"-ready-after=" + c.readyAfter.String()},
		"ports": []map[string]any{{"name": "http-envoy-prom", "containerPort": 15090}, {"name": "status-port", "containerPort": 15021}},
		"readinessProbe": map[string]any{
			"httpGet":       map[string]any{"path": "/healthz/ready", "port": 15021},
			"periodSeconds": 1, "failureThreshold": 30,
		},
		"securityContext": map[string]any{
			"allowPrivilegeEscalation": false, "runAsNonRoot": true, "runAsUser": 1337,
			"capabilities": map[string]any{"drop": []string{"ALL"}}, "seccompProfile": map[string]any{"type": "RuntimeDefault"},
		},
	}
}

// patch is the JSONPatch for one pod, or nil when nothing is to be injected.
func (c config) patch(p pod) []patchOp {
	if p.Metadata.Annotations["sidecar.istio.io/inject"] == "false" {
		return nil
	}
	for _, ct := range p.Spec.Containers {
		if ct.Name == proxyName {
			return nil
		}
	}
	ops := []patchOp{{Op: "add", Path: "/spec/containers/-", Value: c.proxyContainer()}}
	status := `{"containers":["istio-proxy"],"injector":"startorder-e2e"}`
	if p.Metadata.Annotations == nil {
		ops = append(ops, patchOp{Op: "add", Path: "/metadata/annotations", Value: map[string]string{"sidecar.istio.io/status": status}})
	} else {
		ops = append(ops, patchOp{Op: "add", Path: "/metadata/annotations/sidecar.istio.io~1status", Value: status})
	}
	return ops
}

func (c config) serveMutate(w http.ResponseWriter, r *http.Request) {
	t0 := time.Now()
	if r.Method != http.MethodPost {
		http.Error(w, "POST an AdmissionReview", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var rv review
	if err == nil {
		err = json.Unmarshal(body, &rv)
	}
	if err != nil || rv.Request == nil {
		http.Error(w, fmt.Sprintf("not an AdmissionReview: %v", err), http.StatusBadRequest)
		return
	}
	resp := &response{UID: rv.Request.UID, Allowed: true}
	var p pod
	injected := false
	if rv.Request.Kind.Kind == "Pod" && json.Unmarshal(rv.Request.Object, &p) == nil {
		if ops := c.patch(p); ops != nil {
			resp.Patch, _ = json.Marshal(ops)
			resp.PatchType = "JSONPatch"
			injected = true
		}
	}
	out, _ := json.Marshal(review{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview", Response: resp})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
	name := p.Metadata.Name
	if name == "" {
		name = p.Metadata.GenerateName + "*"
	}
	line, _ := json.Marshal(map[string]any{"event": "review", "ts": time.Now().UnixNano(), "uid": rv.Request.UID,
		"pod": rv.Request.Namespace + "/" + name, "containers": len(p.Spec.Containers), "injected": injected,
		"micros": time.Since(t0).Microseconds()})
	fmt.Println(string(line))
}

func main() {
	var (
		certFile   = flag.String("tls-cert-file", "/etc/injector/tls/tls.crt", "serving certificate (PEM)")
		keyFile    = flag.String("tls-key-file", "/etc/injector/tls/tls.key", "its key (PEM)")
		port       = flag.Int("port", 9443, "HTTPS port")
		image      = flag.String("image", "localhost/startorder/workload:e2e", "image of the injected proxy")
		readyAfter = flag.Duration("ready-after", 3*time.Second, "the proxy turns ready this long after it starts")
	)
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatalf("injector: %v", err)
	}
	c := config{image: *image, readyAfter: *readyAfter}
	mux := http.NewServeMux()
	mux.HandleFunc("/inject", c.serveMutate)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	srv := &http.Server{
		Addr:              ":" + strconv.Itoa(*port),
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(os.Stderr, "injector: serving /inject on :%d (proxy image %s, ready after %s)\n", *port, *image, *readyAfter)
	log.Fatal(srv.ListenAndServeTLS("", ""))
}
