#!/usr/bin/env python3
"""Translate template.yaml to plain CloudFormation offline, as `sam package`
then CloudFormation's SAM transform would. Prints JSON on stdout.

usage: scripts/sam-translate.py [template.yaml]
"""
import json
import os
import sys

import yaml
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class OfflinePolicies:
    """Managed policy ARNs by name, without calling IAM."""

    def load(self):
        names = ["AWSLambdaBasicExecutionRole", "AWSLambdaRole", "AWSXrayWriteOnlyAccess"]
        return {n: f"arn:aws:iam::aws:policy/service-role/{n}" for n in names}


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    with open(path) as f:
        template = yaml_parse(f.read())
    # sam package replaces local CodeUri with an S3 location.
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://reportmailer-artifacts/code.zip"
    for res in template.get("Resources", {}).values():
        if res.get("Type") == "AWS::Serverless::Function":
            res.setdefault("Properties", {})["CodeUri"] = "s3://reportmailer-artifacts/code.zip"
    params = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws", "AWS::StackName": "reportmailer"}
    out = transform(template, params, OfflinePolicies())
    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main()
