// A minimal validating webhook in Go, standard library only: the yardstick `npm run bench` holds
// Gatehouse against. It does what a controller-runtime webhook does before any rule runs — decode
// the AdmissionReview, Ingress included, into typed structs — and answers "allowed" with the uid.
//
// Usage: go-webhook CERT_FILE KEY_FILE PORT
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
)

type objectMeta struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	UID             string            `json:"uid"`
	Generation      int64             `json:"generation"`
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	ManagedFields   []json.RawMessage `json:"managedFields"`
	ResourceVersion string            `json:"resourceVersion"`
}

type backend struct {
	Service *struct {
		Name string `json:"name"`
		Port struct {
			Name   string `json:"name"`
			Number int32  `json:"number"`
		} `json:"port"`
	} `json:"service"`
}

type ingress struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		IngressClassName *string `json:"ingressClassName"`
		TLS              []struct {
			Hosts      []string `json:"hosts"`
			SecretName string   `json:"secretName"`
		} `json:"tls"`
		Rules []struct {
			Host string `json:"host"`
			HTTP *struct {
				Paths []struct {
					Path     string  `json:"path"`
					PathType string  `json:"pathType"`
					Backend  backend `json:"backend"`
				} `json:"paths"`
			} `json:"http"`
		} `json:"rules"`
	} `json:"spec"`
}

type gvk struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
}

type review struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Request    *struct {
		UID       string   `json:"uid"`
		Kind      gvk      `json:"kind"`
		Name      string   `json:"name"`
		Namespace string   `json:"namespace"`
		Operation string   `json:"operation"`
		Object    *ingress `json:"object"`
		OldObject *ingress `json:"oldObject"`
		DryRun    *bool    `json:"dryRun"`
	} `json:"request"`
}

type response struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Response   struct {
		UID     string `json:"uid"`
		Allowed bool   `json:"allowed"`
	} `json:"response"`
}

func validate(w http.ResponseWriter, r *http.Request) {
	var in review
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Request == nil {
		http.Error(w, "bad AdmissionReview", http.StatusBadRequest)
		return
	}
	var out response
	out.APIVersion, out.Kind = in.APIVersion, "AdmissionReview"
	out.Response.UID, out.Response.Allowed = in.Request.UID, true
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(&out); err != nil {
		log.Print(err)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: go-webhook CERT_FILE KEY_FILE PORT")
		os.Exit(2)
	}
	http.HandleFunc("/validate", validate)
	log.Fatal(http.ListenAndServeTLS("127.0.0.1:"+os.Args[3], os.Args[1], os.Args[2], nil))
}
