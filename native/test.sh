#!/usr/bin/env bash
echo "native tests: not yet"
