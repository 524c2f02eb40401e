// Measures every chart the report's page shows at the window's width
// and writes one JSON line per visible chart into a pre element of id
// probe-out at the end of the body:
// its title, its smallest text in CSS px, texts that overlap, texts cut
// off at its edge, and colours its legend (the rightmost LEGEND_W px of
// the drawing) names that nothing outside the legend is drawn in.
(function(){
 const LEGEND_W=230, out=[];
 const colourOf=e=>{const f=e.getAttribute('fill'), s=e.getAttribute('stroke'); const c=(f&&f!=='none'&&f!=='#FFFFFF'&&f!=='white')?f:((s&&s!=='none')?s:null); return c&&c.toUpperCase();};
 document.querySelectorAll('svg').forEach((svg,k)=>{
   const S=svg.getBoundingClientRect(); if(S.width===0) return;
   const vbw=svg.viewBox.baseVal.width||svg.width.baseVal.value, scale=S.width/vbw;
   const texts=Array.from(svg.querySelectorAll('text')).filter(t=>t.textContent.trim());
   let minpx=1e9; const boxes=[];
   texts.forEach(t=>{const px=parseFloat(getComputedStyle(t).fontSize)*scale; minpx=Math.min(minpx,px); boxes.push({r:t.getBoundingClientRect(),t:t.textContent.trim().slice(0,40)});});
   const overlaps=[];
   for(let i=0;i<boxes.length;i++)for(let j=i+1;j<boxes.length;j++){const a=boxes[i].r,b=boxes[j].r;const w=Math.min(a.right,b.right)-Math.max(a.left,b.left),h=Math.min(a.bottom,b.bottom)-Math.max(a.top,b.top);if(w>1&&h>1)overlaps.push(boxes[i].t+' | '+boxes[j].t);}
   const clipped=boxes.filter(b=>b.r.left<S.left-1||b.r.right>S.right+1||b.r.top<S.top-1||b.r.bottom>S.bottom+1).map(b=>b.t);
   const shapes=Array.from(svg.querySelectorAll('rect,polyline,line,path,circle,polygon,text'));
   const legend=new Set(), data=new Set();
   shapes.forEach(e=>{const c=colourOf(e); if(!c) return; let bb; try{bb=e.getBBox();}catch(_){return;} if(bb.width===0&&bb.height===0) return; (bb.x>=vbw-LEGEND_W? legend: data).add(c);});
   const undrawn=[...legend].filter(c=>!data.has(c));
   const title=(texts[0]||{textContent:'svg'+k}).textContent.trim().slice(0,60);
   out.push(JSON.stringify({title,minpx:+minpx.toFixed(1),overlaps:overlaps.slice(0,3),clipped:clipped.slice(0,3),undrawn}));
 });
 const pre=document.createElement('pre'); pre.id='probe-out'; pre.textContent=out.join('\n'); document.body.appendChild(pre);
})();
