// Command argo-validate runs Argo Workflows' own offline lint (the code behind `argo lint --offline`) on YAML files.
//
// Usage: argo-validate [-json] PATH...
//
// Every PATH (a file, or a directory walked for *.yaml, *.yml, *.json) is read into Argo's offline client, so
// templateRef and workflowTemplateRef resolve among the files given, exactly as `argo lint --offline` resolves
// them; then Argo's lint package validates each Workflow, WorkflowTemplate, ClusterWorkflowTemplate and
// CronWorkflow with strict parsing (unknown fields are errors), as the CLI's default --strict=true does.
//
// Output: one line per document, "FILE: KIND/NAME: ok" or "FILE: KIND/NAME: ERROR", or with -json one JSON object
// per line: {"file", "index", "kind", "name", "ok", "errors"}. Exit status: 0 when every document passes,
// 1 when any fails or no workflow document was found (as Argo's lint does), 2 when the run itself fails
// (bad usage, an unreadable file, two templates of the same name).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("argo-validate", flag.ContinueOnError)
	flags.SetOutput(stderr)
	jsonLines := flags.Bool("json", false, "print one JSON object per document instead of text lines")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: argo-validate [-json] PATH...  (files or directories of Argo manifests)")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return 2
	}
	results, err := validate(context.Background(), flags.Args())
	if err != nil {
		fmt.Fprintf(stderr, "argo-validate: %v\n", err)
		return 2
	}
	if len(results) == 0 {
		fmt.Fprintln(stderr, "argo-validate: no Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow found")
		return 1
	}
	failed := 0
	for _, result := range results {
		if !result.OK {
			failed++
		}
		if err := write(stdout, result, *jsonLines); err != nil {
			fmt.Fprintf(stderr, "argo-validate: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stderr, "argo-validate: %d document(s), %d failed\n", len(results), failed)
	if failed > 0 {
		return 1
	}
	return 0
}

func write(out io.Writer, result DocumentResult, jsonLines bool) error {
	if jsonLines {
		line, err := json.Marshal(result)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(out, string(line))
		return err
	}
	verdict := "ok"
	for position, message := range result.Errors {
		if position == 0 {
			verdict = message
		} else {
			verdict += "; " + message
		}
	}
	_, err := fmt.Fprintf(out, "%s: %s/%s: %s\n", result.File, result.Kind, result.Name, verdict)
	return err
}
