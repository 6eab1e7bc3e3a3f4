#!/usr/bin/env bash
echo "native build: not yet"
