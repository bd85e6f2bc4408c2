package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/argoproj/argo-workflows/v4/cmd/argo/lint"
	"github.com/argoproj/argo-workflows/v4/pkg/apiclient"
	wf "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow"
	wfv1 "github.com/argoproj/argo-workflows/v4/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v4/util/logging"
	"github.com/argoproj/argo-workflows/v4/workflow/common"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// DocumentResult is Argo's verdict on one workflow document.
type DocumentResult struct {
	File string `json:"file"`
	// Index is the 1-based position among the Kubernetes objects Argo parsed from the file.
	Index int    `json:"index"`
	Kind  string `json:"kind"`
	// Name is metadata.name, or metadata.generateName when the document has no name.
	Name   string   `json:"name"`
	OK     bool     `json:"ok"`
	Errors []string `json:"errors"`
}

// strict is what `argo lint` uses unless told --strict=false: unknown fields are errors. A document strict
// parsing cannot convert at all (a repeated key, for one) is NOT an error: Argo logs a warning, skips it and
// lints the rest, so it gets no result line here; callers compare the documents they gave with the results
// (tests/argo/agreement.py counts a skipped document as not accepted).
const strict = true

// validate lints the paths with Argo's lint package and its offline client, then splits the per-file errors
// by document.
func validate(ctx context.Context, paths []string) ([]DocumentResult, error) {
	// Warnings only: Argo logs a YAML document it cannot read as a Kubernetes object and skips it.
	ctx = logging.WithLogger(ctx, logging.NewSlogLogger(logging.Warn, logging.Text))
	ctx, client, err := apiclient.NewClientFromOptsWithContext(ctx, apiclient.Opts{Offline: true, OfflineFiles: paths})
	if err != nil {
		return nil, err
	}
	clients, err := serviceClients(ctx, client)
	if err != nil {
		return nil, err
	}
	// DefaultNamespace "" as `argo lint --offline` passes it: templates without a namespace resolve together.
	linted, err := lint.Lint(ctx, &lint.LintOptions{Files: paths, Strict: strict, ServiceClients: clients})
	if err != nil {
		return nil, err
	}
	var results []DocumentResult
	for _, file := range linted.Results {
		documents, err := documentsOf(ctx, file.File)
		if err != nil {
			return nil, err
		}
		results = append(results, assignErrors(documents, file)...)
	}
	return results, nil
}

func serviceClients(ctx context.Context, client apiclient.Client) (lint.ServiceClients, error) {
	templates, err := client.NewWorkflowTemplateServiceClient()
	if err != nil {
		return lint.ServiceClients{}, err
	}
	crons, err := client.NewCronWorkflowServiceClient()
	if err != nil {
		return lint.ServiceClients{}, err
	}
	clusterTemplates, err := client.NewClusterWorkflowTemplateServiceClient()
	if err != nil {
		return lint.ServiceClients{}, err
	}
	return lint.ServiceClients{
		WorkflowsClient:               client.NewWorkflowServiceClient(ctx),
		WorkflowTemplatesClient:       templates,
		CronWorkflowsClient:           crons,
		ClusterWorkflowTemplateClient: clusterTemplates,
	}, nil
}

// document is one linted object of a file and the label Argo's lint puts before its errors.
type document struct {
	result DocumentResult
	label  string
}

// documentsOf parses a file as Argo's lint does and lists the objects it lints, in the same order.
func documentsOf(ctx context.Context, path string) ([]document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var documents []document
	for position, parsed := range common.ParseObjects(ctx, data, strict) {
		object := parsed.Object
		kind := kindOf(object)
		if object == nil || kind == "" {
			continue // Argo's lint skips what is not a workflow kind
		}
		documents = append(documents, document{
			result: DocumentResult{File: path, Index: position + 1, Kind: kind, Name: nameOf(object), OK: true},
			label:  objectLabel(kind, object, position),
		})
	}
	return documents, nil
}

func kindOf(object metav1.Object) string {
	switch object.(type) {
	case *wfv1.Workflow:
		return wf.WorkflowKind
	case *wfv1.WorkflowTemplate:
		return wf.WorkflowTemplateKind
	case *wfv1.ClusterWorkflowTemplate:
		return wf.ClusterWorkflowTemplateKind
	case *wfv1.CronWorkflow:
		return wf.CronWorkflowKind
	}
	return ""
}

func nameOf(object metav1.Object) string {
	if object.GetName() != "" {
		return object.GetName()
	}
	return object.GetGenerateName()
}

// objectLabel is how Argo's lint names an object in its errors (`in "NAME" (KIND): ...`).
func objectLabel(kind string, object metav1.Object, position int) string {
	name := object.GetName()
	if name == "" {
		name = object.GetGenerateName()
	}
	if name == "" {
		name = fmt.Sprintf("object #%d", position+1)
	}
	return fmt.Sprintf("in %q (%s): ", name, kind)
}

// assignErrors gives each of a file's errors to the document it names; an error naming none (not expected)
// is kept on a file-level result so that it is never lost.
func assignErrors(documents []document, file *lint.LintResult) []DocumentResult {
	var orphans []string
	for _, lintErr := range file.Errs {
		message := lintErr.Error()
		owner := -1
		for position := range documents {
			if strings.HasPrefix(message, documents[position].label) {
				owner = position
				break
			}
		}
		if owner < 0 {
			orphans = append(orphans, message)
			continue
		}
		documents[owner].result.OK = false
		documents[owner].result.Errors = append(documents[owner].result.Errors,
			strings.TrimPrefix(message, documents[owner].label))
	}
	results := make([]DocumentResult, 0, len(documents)+1)
	for _, doc := range documents {
		if doc.result.Errors == nil {
			doc.result.Errors = []string{}
		}
		results = append(results, doc.result)
	}
	if len(orphans) > 0 {
		results = append(results, DocumentResult{File: file.File, Kind: "?", Name: "?", Errors: orphans})
	}
	return results
}
