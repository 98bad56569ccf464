# Texts of the BusinessErrors the GET path raises, by the number it raises them with:
# loaded only when such a message is read (BusinessError.message), so a request that does
# not fail pays no RAM for them (each string constant of a module costs about 40 bytes of
# heap even when its code runs from flash). A text with %: formatted with the error's arg.
T = (
    "Parameter error",  # 0 (param(): + ": " + what when given)
    "BusinessError %d: %s",  # 1 (__str__)
    "BusinessError(%d, %r)",  # 2 (__repr__)
    "on(type: str, callback: function)",  # 3
    "off(type: str, callback?: function)",  # 4
    "netstack: exception in %s callback:",  # 5
    "enableAutoCookie(enable: bool)",  # 6
    "<HttpResponse %d %s>",  # 7
    "callback must be a function",  # 8
    "run() takes an awaitable",  # 9
    "Out of memory",  # 10
    "<netstack %s: not run yet; netstack.run(it) runs it (or await it)>",  # 11
    "streamBuffer must be a non-empty bytearray, for requestInStream",  # 12
    "HttpRequest was destroyed during the transfer",  # 13
    "HttpRequest was destroyed",  # 14
    "out of memory",  # 15
    "no complete response within %d ms",  # 16
    "url must be a string",  # 17
    "options must be an object (dict)",  # 18
    "method must be a token string",  # 19
    "header must be an object (dict)",  # 20
    "header names must be strings",  # 21
    "unsupported scheme '%s'",  # 22
    "response head larger than %d bytes",  # 23
    "connection closed inside the response head",  # 24
    "body of %d bytes exceeds maxLimit %d",  # 25
    "out of memory reading the body",  # 26
    "body exceeds maxLimit %d",  # 27
)


def text(n, arg):
    t = T[n]
    if n == 0:  # Parameter error: what (a str, or a message number)
        if type(arg) is int:
            arg = T[arg]
        return t + ": " + arg if arg else t
    return t if arg is None else t % arg
