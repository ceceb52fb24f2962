const json = JSON.stringify

/**
 * Pre-builds the Twilio-shaped JSON body for one set of ICE URLs as fixed pieces with
 * slots for the username and password, so minting a token only concatenates. The
 * output is exactly `JSON.stringify` of a {@link TwilioToken} (the tests check that).
 *
 * `username` and `password` go in unescaped: the minter guarantees they are JSON-safe
 * (digits, hex, `:`, a label of `[A-Za-z0-9._@-]`, base64). `sid` and `date` are JSON strings.
 */
export function compileTemplate(
  urls: string[],
): (sid: string, date: string, ttl: number, username: string, password: string) => string {
  // pieces[i] is followed by the username when i is even, by the password when odd
  const pieces: string[] = []
  let open = ''
  urls.forEach((url, i) => {
    open += `${i ? ',' : ''}{"url":${json(url)},"urls":${json(url)}`
    if (!url.startsWith('turn')) return void (open += '}')
    pieces.push(`${open},"username":"`, '","credential":"')
    open = '"}'
  })
  const last = open + '],"password":"'
  return (sid, date, ttl, username, password) => {
    let body = `{"account_sid":${sid},"date_created":${date},"date_updated":${date},"ice_servers":[`
    for (let i = 0; i < pieces.length; i += 2)
      body += pieces[i]! + username + pieces[i + 1]! + password
    return `${body}${last}${password}","ttl":"${ttl}","username":"${username}"}`
  }
}
