// The unix sockets with awkward names behind test/fixtures/ss/unix-names*.txt and test/fixtures/procfs/unix-names.txt
// (captured together, same inodes): what every source must read from its own capture. State, inode, name.
// Captured from ss 6.1 in a fresh network namespace (`ss -xanOHe`, and with -p) holding unix sockets with
// awkward names: ss prints names byte for byte, so a newline in a name splits its record over lines.
export const UNIX_NAMES: [string, number, string][] = [
  ['LISTEN', 51307701, '/tmp/sockscope-unix-names/nl\nsock'],
  ['CLOSE', 51307704, '/tmp/sockscope-unix-names/end\n'],
  ['CLOSE', 51307705, '/tmp/sockscope-unix-names/a\n\nb\tc'],
  ['CLOSE', 51307706, '/tmp/sockscope-unix-names/x\nu_str'],
  ['CLOSE', 51307707, '/tmp/sockscope-unix-names/sp  '],
  ['ESTABLISHED', 51307713, ''],
  ['ESTABLISHED', 51307714, ''],
  ['ESTABLISHED', 51307703, '/tmp/sockscope-unix-names/nl\nsock'],
  ['ESTABLISHED', 51307702, ''],
  ['ESTABLISHED', 51307715, ''],
  ['CLOSE', 51307708, '@trailing space '],
  ['CLOSE', 51307710, '@nul@other'],
  ['CLOSE', 51307711, '@two  spaces  inside'],
  ['CLOSE', 51307709, '@nul@inside'],
  ['LISTEN', 51307712, '@queue'],
];

/**
 * python3 -c HOLDER DIR: re-executes itself through a symlink DIR/py\xff\xfe (so that its comm, argv[0] and
 * ss -p's process name hold bytes that are not UTF-8), listens on the unix path DIR/s\xff\xfe\xc3\xa9x,
 * prints 'ready' and holds it until stdin closes (60 s at most). The env must carry HOLDER = this script.
 */
export const NON_UTF8_HOLDER = String.raw`
import os, socket, sys, threading
d = sys.argv[1].encode()
if 'HOLDER_AS' not in os.environ:
    link = d + b'/py\xff\xfe'
    os.symlink(os.fsencode(sys.executable), link)
    os.execve(link, [link, '-c', os.environ['HOLDER'], d], {**os.environb, b'HOLDER_AS': b'1'})
s = socket.socket(socket.AF_UNIX); s.bind(d + b'/s\xff\xfe\xc3\xa9x'); s.listen(4)
print('ready', flush=True)
threading.Timer(60, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
`;
