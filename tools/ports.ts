import { createServer } from 'node:net'
import { createSocket } from 'node:dgram'

/** A loopback port that is free for both TCP and UDP right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen(0, host, () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4')
      socket.once('error', () => resolve(false))
      socket.bind(port, host, () => socket.close(() => resolve(true)))
    })
    if (udpFree) return port
  }
}
