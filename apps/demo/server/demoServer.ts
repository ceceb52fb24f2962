import { createReadStream, existsSync, statSync } from 'node:fs'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { type RawData, WebSocket, WebSocketServer } from 'ws'
import { type IceServersHandlerOptions, createIceServersHandler } from '@nts/server'

/**
 * The demo's own server, and the documented example of embedding the token service:
 * it serves the built app, relays signalling over WebSocket, and answers the page's
 * `POST /v1/ice-servers` through `createIceServersHandler`.
 */
export interface DemoServerOptions {
  /** Where `vite build` put the app. */
  staticDir: string
  /** Options of the embedded browser endpoint (secrets shared with coturn, ICE URLs per region). */
  iceServers: IceServersHandlerOptions
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** Web-standard handler on node:http: the same few lines embed it in any Node app. */
function nodeAdapter(handler: (request: Request) => Promise<Response>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === 'GET' || req.method === 'HEAD' ? null : Buffer.concat(chunks),
    })
    const response = await handler(request)
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  }
}

function serveStatic(staticDir: string, req: IncomingMessage, res: ServerResponse) {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
  let file = join(staticDir, path)
  if (!file.startsWith(staticDir) || !existsSync(file) || statSync(file).isDirectory())
    file = join(staticDir, 'index.html') // the app routes by query string
  if (!existsSync(file)) {
    res.writeHead(503, { 'content-type': 'text/plain' })
    return res.end('The demo app is not built: run `pnpm --filter @nts/demo build`.')
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
  createReadStream(file).pipe(res)
}

/** Rooms of at most two peers; every message is relayed to the other one. */
function signalling(wss: WebSocketServer) {
  const rooms = new Map<string, Set<WebSocket>>()
  wss.on('connection', (socket, req) => {
    const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? ''
    if (!/^[\w-]{1,64}$/.test(room)) return socket.close(4000, 'bad room')
    const peers = rooms.get(room) ?? new Set<WebSocket>()
    if (peers.size >= 2) {
      socket.send(JSON.stringify({ type: 'full' }))
      return socket.close(4001, 'room full')
    }
    rooms.set(room, peers.add(socket))
    // the first in the room is the impolite peer of perfect negotiation and opens the chat channel
    socket.send(JSON.stringify({ type: 'joined', polite: peers.size === 2, peers: peers.size }))
    const others = () => [...peers].filter((peer) => peer !== socket)
    for (const other of others()) other.send(JSON.stringify({ type: 'peer-joined' }))
    socket.on('message', (data: RawData) => {
      for (const other of others()) other.send(data.toString())
    })
    socket.on('close', () => {
      peers.delete(socket)
      if (peers.size === 0) rooms.delete(room)
      for (const other of others()) other.send(JSON.stringify({ type: 'peer-left' }))
    })
  })
}

export function createDemoServer(options: DemoServerOptions): Server {
  const iceServers = nodeAdapter(createIceServersHandler(options.iceServers))
  const regions = Array.isArray(options.iceServers.iceUrls)
    ? ['global']
    : Object.keys(options.iceServers.iceUrls ?? { global: [] })
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/v1/ice-servers') {
      return void iceServers(req, res).catch(() => {
        res.writeHead(500).end()
      })
    }
    if (path === '/demo/config') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ regions }))
    }
    serveStatic(options.staticDir, req, res)
  })
  signalling(new WebSocketServer({ server, path: '/ws', maxPayload: 256 * 1024 }))
  return server
}
