# Texts of the BusinessErrors the GET path raises, by the number it raises them with:
# loaded only when such a message is read (BusinessError.message), so a request that does
# not fail pays no RAM for them (each string constant of a module costs about 40 bytes of
# heap even when its code runs from flash). A text with %: formatted with the error's arg.
# The texts are one string, a line each (a tuple constant is a str object per text).
T = (
    "Parameter error\n"  # 0 (param(): + ": " + what when given)
    "BusinessError %d: %s\n"  # 1 (__str__)
    "BusinessError(%d, %r)\n"  # 2 (__repr__)
    "on(type: str, callback: function)\n"  # 3
    "off(type: str, callback?: function)\n"  # 4
    "netstack: exception in %s callback:\n"  # 5
    "enableAutoCookie(enable: bool)\n"  # 6
    "<HttpResponse %d %s>\n"  # 7
    "callback must be a function\n"  # 8
    "run() takes an awaitable not run before\n"  # 9
    "Out of memory\n"  # 10
    "<netstack %s: not run yet; netstack.run(it) runs it (or await it)>\n"  # 11
    "streamBuffer must be a non-empty bytearray, for requestInStream\n"  # 12
    "HttpRequest was destroyed during the transfer\n"  # 13
    "HttpRequest was destroyed\n"  # 14
    "out of memory\n"  # 15
    "no complete response within %d ms\n"  # 16
    "url must be a string\n"  # 17
    "options must be an object (dict)\n"  # 18
    "method must be a token string\n"  # 19
    "header must be an object (dict)\n"  # 20
    "header names must be strings\n"  # 21
    "unsupported scheme '%s'\n"  # 22
    "response head larger than %d bytes\n"  # 23
    "connection closed inside the response head\n"  # 24
    "body of %d bytes exceeds maxLimit %d\n"  # 25
    "out of memory reading the body\n"  # 26
    "body exceeds maxLimit %d\n"  # 27
    "<netstack %s: run already; an operation runs once>\n"  # 28
    "%s: %s\n"  # 29 (a library bug, to a callback)
    "cancelled\n"  # 30
    "netstack:\n"  # 31 (the log lines' prefix)
)


def text(n, arg):
    ts = T.split("\n")
    t = ts[n]
    if n == 0:  # Parameter error: what (a str, or a message number)
        if type(arg) is int:
            arg = ts[arg]
        return t + ": " + arg if arg else t
    return t if arg is None else t % arg
