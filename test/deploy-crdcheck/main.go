// Command crdcheck validates CustomResourceDefinition files with the apiserver's own code: it
// converts each to the internal apiextensions type, exactly as the apiserver does on create, and
// runs apiextensions-apiserver's ValidateCustomResourceDefinition (names, versions, and the
// openAPIV3Schema: structural, no $ref/definitions, metadata restrictions, CEL rules, ...).
// Used by test/deploy-crd.test.ts on deploy/crd.yaml; exit 1 lists every error, one a line.
//
//	go run . FILE...
package main

import (
	"context"
	"fmt"
	"os"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: crdcheck FILE...")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		errs, err := check(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			os.Exit(2)
		}
		for _, e := range errs {
			failed = true
			fmt.Printf("%s: %s\n", file, e)
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(file string) ([]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	// strict: a field the v1 type does not know is an error, as the apiserver's strict decoding
	if err := yaml.UnmarshalStrict(data, &v1); err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := apiextensionsv1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := apiextensions.AddToScheme(scheme); err != nil {
		return nil, err
	}
	scheme.Default(&v1)
	var internal apiextensions.CustomResourceDefinition
	if err := scheme.Convert(&v1, &internal, nil); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range validation.ValidateCustomResourceDefinition(context.Background(), &internal) {
		out = append(out, e.Error())
	}
	return out, nil
}
