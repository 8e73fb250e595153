#!/usr/bin/env node
'use strict';
require('../dist/kubecred.cjs');
