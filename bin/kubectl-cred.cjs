#!/usr/bin/env node
'use strict';
// `kubectl cred …`: kubectl finds this bin on PATH as a plugin; the same program as `kubecred`.
require('./kubecred.cjs');
