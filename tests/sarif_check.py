"""Validation of SARIF 2.1.0 output against the parts of the OASIS schema that code-scanning
consumers rely on (the full schema is not shipped by any package we can install offline):
required properties, types, enums and ranges of sarifLog, run, tool, reportingDescriptor,
result, message, location, physicalLocation, artifactLocation and region, as the standard
defines them."""

from __future__ import annotations

from typing import Any

import jsonschema

_MESSAGE = {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
            "properties": {"text": {"type": "string"}, "id": {"type": "string"}}}
_REGION = {
    "type": "object",
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
}
SARIF_2_1_0_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {"driver": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string"},
                                "version": {"type": "string"},
                                "informationUri": {"type": "string", "format": "uri"},
                                "rules": {"type": "array", "uniqueItems": True, "items": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {
                                        "id": {"type": "string"},
                                        "name": {"type": "string"},
                                        "shortDescription": _MESSAGE,
                                        "fullDescription": _MESSAGE,
                                        "helpUri": {"type": "string", "format": "uri"},
                                        "defaultConfiguration": {"type": "object", "properties": {
                                            "level": {"enum": ["none", "note", "warning", "error"]}}},
                                    },
                                }},
                            },
                        }},
                    },
                    "results": {"type": "array", "items": {
                        "type": "object",
                        "required": ["message"],
                        "properties": {
                            "ruleId": {"type": "string"},
                            "ruleIndex": {"type": "integer", "minimum": -1},
                            "level": {"enum": ["none", "note", "warning", "error"]},
                            "message": _MESSAGE,
                            "locations": {"type": "array", "items": {
                                "type": "object",
                                "properties": {"physicalLocation": {
                                    "type": "object",
                                    "anyOf": [{"required": ["artifactLocation"]}, {"required": ["address"]}],
                                    "properties": {
                                        "artifactLocation": {"type": "object", "properties": {
                                            "uri": {"type": "string"}}},
                                        "region": _REGION,
                                    },
                                }},
                            }},
                        },
                    }},
                },
            },
        },
    },
}


def validate_sarif(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if ``document`` is not valid SARIF 2.1.0."""
    jsonschema.validate(document, SARIF_2_1_0_SUBSET)
    for run in document["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        for result in run.get("results", []):
            index = result.get("ruleIndex")
            if index is not None and index >= 0:
                assert rules[index]["id"] == result["ruleId"], "ruleIndex must point at ruleId"
            for loc in result.get("locations", []):
                region = loc["physicalLocation"].get("region", {})
                if "endLine" in region:
                    assert (region["endLine"], region.get("endColumn", 1)) >= \
                        (region["startLine"], region.get("startColumn", 1))
