#!/bin/sh
# placeholder, replaced by the tracer core work
echo sample
