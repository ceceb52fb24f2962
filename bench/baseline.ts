// The transport limit: a bare node:http server answering a pre-serialized Twilio-shaped
// token of the same byte size as a real one, with the same headers; no auth, no crypto.
import { createServer } from 'node:http'

const body = process.env.BODY!
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
}
createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(201, headers)
    res.end(body)
  })
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.error('listening'))
