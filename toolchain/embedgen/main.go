// embedgen writes the JSON files a provider plugin embeds, as each provider's own generate.go
// does: the package schema with its "version" set, and other files compacted.
// Standard library only, so it needs no module downloads of its own.
//
//	embedgen -version 4.19.1 -schema DIR/schema.json -out DIR/schema-embed.json
//	embedgen -compact DIR/terraform-mapping.json -out DIR/terraform-mapping-embed.json
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
)

func main() {
	version := flag.String("version", "", "version to set in the schema")
	schema := flag.String("schema", "", "package schema to version")
	compact := flag.String("compact", "", "JSON file to compact")
	out := flag.String("out", "", "file to write")
	flag.Parse()

	var doc map[string]json.RawMessage
	switch {
	case *schema != "" && *version != "":
		read(*schema, &doc)
		v, _ := json.Marshal(*version)
		doc["version"] = v
	case *compact != "":
		read(*compact, &doc)
	default:
		log.Fatal("embedgen: give -schema with -version, or -compact")
	}
	if *out == "" {
		log.Fatal("embedgen: -out is required")
	}
	data, err := json.Marshal(doc)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

func read(path string, into interface{}) {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		log.Fatalf("embedgen: %s: %v", path, err)
	}
}
