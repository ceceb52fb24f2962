// What a team would write by hand: the same Tokens API as a plain Fastify route,
// minting with node:crypto and answering with JSON.stringify.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'

const [sid, token] = process.env.ACCOUNT!.split(':') as [string, string]
const secret = process.env.SECRET!
const urls = process.env.ICE_URLS!.split(',')
const expected = createHash('sha256').update(token).digest()

const app = Fastify({ logger: false })
app.addContentTypeParser(
  'application/x-www-form-urlencoded',
  { parseAs: 'string' },
  (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
)

app.post<{ Params: { sid: string }; Body: { Ttl?: string } }>(
  '/2010-04-01/Accounts/:sid/Tokens.json',
  async (request, reply) => {
    const [user, pass] = Buffer.from((request.headers.authorization ?? '').slice(6), 'base64')
      .toString()
      .split(':')
    const given = createHash('sha256')
      .update(pass ?? '')
      .digest()
    if (user !== sid || request.params.sid !== sid || !timingSafeEqual(given, expected))
      return reply.code(401).send({ code: 20003, message: 'Authenticate', status: 401 })
    const ttl = Number(request.body?.Ttl ?? 86400)
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400)
      return reply.code(400).send({ code: 20001, message: 'Invalid Ttl', status: 400 })
    const username = `${Math.ceil(Date.now() / 1000) + ttl}:${randomBytes(16).toString('hex')}`
    const password = createHmac('sha1', secret).update(username).digest('base64')
    const date = new Date().toUTCString().replace('GMT', '+0000')
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({
        account_sid: sid,
        date_created: date,
        date_updated: date,
        ice_servers: urls.map((url) =>
          url.startsWith('turn')
            ? { url, urls: url, username, credential: password }
            : { url, urls: url },
        ),
        password,
        ttl: String(ttl),
        username,
      })
  },
)

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
console.error('listening')
