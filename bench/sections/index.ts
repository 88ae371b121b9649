// Every benchmark section, in run order. To add one: write bench/sections/NAME.ts exporting a
// default Section (bench/types.ts) and add one import and one entry here; `--only NAME` runs it alone.
import type { Section } from '../types.js';
import netlink from './netlink.js';
import ss from './ss-collector.js';
import attribution from './attribution.js';
import memory from './memory.js';
import cli from './cli.js';
import c10k from './c10k.js';
import monitorRender from './monitor-render.js';
import startup from './startup.js';

export const SECTIONS: Section[] = [netlink, ss, cli, attribution, memory, c10k, monitorRender, startup];
