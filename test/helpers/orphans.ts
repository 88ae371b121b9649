// A holder script (for netnsWithHolder) that leaves FIN_WAIT2 orphans on 127.0.0.1:PORT: a server accepts `n`
// connections, closes them and exits, while this process keeps the client ends open in CLOSE_WAIT.
export function closeWaitClients(port: number, n = 2): string {
  const server = `import socket; l = socket.socket(); l.bind(('127.0.0.1', ${port})); l.listen(${Math.max(8, 2 * n)}); print('ready', flush=True); a = [l.accept()[0] for _ in range(${n})]; [x.close() for x in a]; l.close()`;
  return `import subprocess
srv = subprocess.Popen(['python3', '-c', ${JSON.stringify(server)}], stdout=subprocess.PIPE)
srv.stdout.readline()
cs = [socket.create_connection(('127.0.0.1', ${port})) for _ in range(${n})]
srv.wait()
time.sleep(0.3)`;
}
