"""The web chat (gradio): the app and its layout (:mod:`.app`), the chat handlers (:mod:`.chat`), HTML
rendering (:mod:`.render`), the documents tab (:mod:`.docs`), the admin gate and upload checks (:mod:`.admin`),
fair shares on the question routes (:mod:`.fair`), the request guard (:mod:`.guard`), upload metering
(:mod:`.uploads`), the staging folder's bounds (:mod:`.staging`) and the feedback log (:mod:`.feedback`).
Importing this package loads nothing; ``qa.web.app`` loads gradio."""
